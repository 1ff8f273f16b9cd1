#include "tests/sim/common/recorder.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <system_error>

#include "common/time_format.hpp"

namespace sekisho::sim {

namespace json = boost::json;

std::string record_line(const Request& request, const Response& response, TimePoint t) {
    json::object o{
        {"t", rfc3339_utc(unix_ms(t))},
        {"method", request.method},
        {"target", request.target},
        {"status", response.status},
        {"request_id", request.request_id},
        {"user_agent", request.user_agent},
        {"client_cert_sha256", request.client_cert_sha256},
    };
    for (const auto& member : response.record)
        o.emplace(member.key(), member.value());
    if (!response.fault.empty())
        o["fault"] = response.fault;
    return json::serialize(o) + "\n";
}

Recorder::Recorder(const std::filesystem::path& file) : out_(std::fopen(file.c_str(), "ae")) {
    if (out_ == nullptr)
        throw std::system_error(errno, std::generic_category(), "cannot open " + file.string());
}

Recorder::~Recorder() {
    std::fclose(out_);
}

void Recorder::record(const Request& request, const Response& response) {
    const auto line = record_line(request, response, std::chrono::system_clock::now());
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

}  // namespace sekisho::sim

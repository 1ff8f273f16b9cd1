#include "tests/sim/mynaportal/recorder.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <system_error>

#include "common/time_format.hpp"

namespace sekisho::sim::mynaportal {

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
    if (!response.arrive_id.empty())
        o["arrive_id"] = response.arrive_id;
    if (const auto& n = response.notice) {
        json::object notice{{"kind", n->kind}, {"notice_id", n->notice_id}};
        if (!n->reason_code.empty())
            notice["reason_code"] = n->reason_code;
        o["notice"] = std::move(notice);
    }
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

}  // namespace sekisho::sim::mynaportal

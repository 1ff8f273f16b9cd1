#pragma once
// The 中間サーバー file exchange of spec/chukan-api.md as a plain function from request to
// response (common/http_service.hpp), with its state in memory: acked results, submitted
// requests and how far each has got. Results are the files of one directory
// (result_store.hpp); a request that is done adds its result file there.
//
// The record names the result a request concerned ("result_id"), and for requests
// "client_request_id" and "request_kind" (PUT, as given), "issued_request_id" (PUT answered
// 200 or 201) and "request_status" (GET of a request's status).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "tests/sim/chukan/result_store.hpp"
#include "tests/sim/common/codec.hpp"
#include "tests/sim/common/http_service.hpp"

namespace sekisho::sim::chukan {

struct Settings {
    std::filesystem::path results_dir{};
    // Polls answered "processing" between the first ("accepted") and the final one.
    std::uint64_t processing_polls = 2;
    std::uint64_t error_request_every = 0;  // every Nth new request ends in "error"; 0: none
    std::chrono::seconds retry_after{1};
    FaultSettings faults{};
    std::function<TimePoint()> clock{};  // system clock when empty
};

class Service : public HttpService {
  public:
    explicit Service(Settings settings);

  private:
    struct Submission {
        std::string sha256;  // of the bytes first accepted under the client_request_id
        std::string request_id;
    };
    struct Job {
        std::string result_kind;
        std::uint64_t records = 0;
        std::uint64_t sequence = 0;  // 1 for the first request taken, and so on
        bool fails = false;
        std::uint64_t polls = 0;
        std::string result_id;  // once done
    };

    TimePoint now() const;
    Response route(const Request& request, std::string_view path, std::string_view query) override;
    Response result_route(const Request& request, std::string_view rest);
    Response request_route(const Request& request, std::string_view id);
    const Result* lookup(std::string_view result_id);

    Response list(std::string_view query);
    Response submit(const Request& request, const std::string& client_request_id);
    Response create(const std::string& client_request_id, std::string_view kind,
                    const std::string& body);
    Response status(const std::string& request_id);
    // Writes the result file of a job that is done; its result_id.
    std::string finish(const Job& job);

    Settings settings_;
    ResultStore store_;
    std::string run_;  // the start time, "YYYYMMDDhhmmss" JST: makes ids unique across runs
    std::set<std::string, std::less<>> acked_;
    std::map<std::string, Submission, std::less<>> submissions_;  // by client_request_id
    std::map<std::string, Job, std::less<>> jobs_;                // by request_id
};

}  // namespace sekisho::sim::chukan

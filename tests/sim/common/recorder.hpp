#pragma once
// The record tests read while a simulator runs: one JSON line per request, flushed at once.

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include "tests/sim/common/codec.hpp"
#include "tests/sim/common/http_service.hpp"

namespace sekisho::sim {

// {"t", "method", "target", "status", "request_id", "user_agent", "client_cert_sha256",
//  then the members of response.record (what the request concerned), "fault"?}; status 0
// when the connection was reset instead of answered.
std::string record_line(const Request& request, const Response& response, TimePoint t);

class Recorder {
  public:
    // Appends to `file`, creating it; throws std::system_error when it cannot be opened.
    explicit Recorder(const std::filesystem::path& file);
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    void record(const Request& request, const Response& response);

  private:
    std::mutex mutex_;
    std::FILE* out_ = nullptr;
};

}  // namespace sekisho::sim

#pragma once
// The record tests read while the simulator runs: one JSON line per request, flushed
// at once. A notice request that was accepted carries its "notice" in the same line.

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include "tests/sim/mynaportal/codec.hpp"
#include "tests/sim/mynaportal/mynaportal_service.hpp"

namespace sekisho::sim::mynaportal {

// {"t", "method", "target", "status", "request_id", "user_agent", "client_cert_sha256",
//  "arrive_id"?, "notice"?: {kind, reason_code?, notice_id}, "fault"?}; status 0 when
// the connection was reset instead of answered.
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

}  // namespace sekisho::sim::mynaportal

#pragma once
// A blocking clamd client for a pipeline worker thread: one connection per command, the
// z-prefixed (NUL-terminated) protocol, and the configured timeout as a deadline for the
// whole command (connect, every write, the reply).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/clamd/address.hpp"
#include "adapters/clamd/error.hpp"
#include "adapters/clamd/reply.hpp"

namespace sekisho::config {
struct ClamdSettings;
}

namespace sekisho::clamd {

// INSTREAM chunk size: clamd reads chunks of any length up to StreamMaxLength; 64 KiB
// keeps the copy small and the number of writes low.
inline constexpr std::size_t kChunkSize = 64 * 1024;

struct ScanResult {
    enum class Status { clean, found, unavailable };
    Status status = Status::unavailable;
    std::string signature;  // found: printable ASCII, at most kMaxShownText characters
    Unavailable reason = Unavailable::error;  // unavailable
    std::string detail;                       // unavailable: what failed, for logs
};

class Client {
  public:
    // `max_stream`: streams longer than this are not sent (clamd would refuse them).
    Client(Address address, std::chrono::milliseconds timeout, std::uint64_t max_stream);
    // From the [clamd] settings; throws std::invalid_argument for a malformed socket.
    static Client from_settings(const config::ClamdSettings& settings);

    // Throws ClamdError unless clamd answers PONG.
    void ping() const;
    // The VERSION reply (printable ASCII); throws ClamdError when there is none.
    std::string version() const;
    // INSTREAM: never throws for clamd's failures, reports them as `unavailable`.
    ScanResult scan(std::string_view bytes) const;

    const Address& address() const { return address_; }
    std::chrono::milliseconds timeout() const { return timeout_; }
    std::uint64_t max_stream() const { return max_stream_; }

  private:
    std::string command(std::string_view name) const;
    StreamReply instream(std::string_view bytes) const;

    Address address_;
    std::chrono::milliseconds timeout_;
    std::uint64_t max_stream_;
};

}  // namespace sekisho::clamd

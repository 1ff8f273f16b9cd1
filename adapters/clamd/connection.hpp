#pragma once
// One blocking connection to clamd in which every step (connect, each write, each read)
// is bounded by one deadline for the whole command. The socket is non-blocking and every
// wait is a poll() with the time left, so a silent or stalled peer cannot hold the
// calling thread beyond the deadline.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "adapters/clamd/address.hpp"

namespace sekisho::clamd {

using Deadline = std::chrono::steady_clock::time_point;

class Connection {
  public:
    // Throws ClamdError: unreachable (no socket, refused, name not resolved) or timeout.
    static Connection open(const Address& address, Deadline deadline);

    ~Connection();
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&&) = delete;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Writes every byte. Returns false when the peer has closed or reset the connection
    // (clamd does so after an error reply, which may still be read). Throws ClamdError
    // (timeout) when the deadline passes.
    bool send_all(std::string_view bytes, Deadline deadline);

    // Reads one NUL-terminated reply of at most `max_bytes` (terminator excluded) and
    // returns it without the NUL. Throws ClamdError: timeout; unreachable when the peer
    // closes before sending anything; error when the reply is unterminated or too long.
    std::string read_reply(std::size_t max_bytes, Deadline deadline);

  private:
    Connection(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
    // Waits for `events` on the socket until the deadline; throws ClamdError(timeout).
    void wait_for(short events, Deadline deadline, std::string_view step) const;

    int fd_ = -1;
    std::string peer_;  // for messages
};

}  // namespace sekisho::clamd

#pragma once
// Framing of the control socket (sekishod ↔ sekishoctl): each message is one JSON object,
// preceded by its length as 4 bytes big-endian. One request per connection; the reply is
// any number of frames, the last one holding "done".

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"

namespace sekisho::control {

// A request carries at most a few certificates (certs rotate) or 10,000 ids.
inline constexpr std::size_t kMaxRequestBytes = 512 * 1024;
inline constexpr std::size_t kMaxReplyFrameBytes = 1024 * 1024;

class FrameError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Blocking reads and writes on a stream socket; timeouts come from the socket's
// SO_RCVTIMEO/SO_SNDTIMEO. read_frame returns nullopt when the peer closed before a frame
// began; a frame larger than max_bytes, a short frame or a timeout throws FrameError.
//
// A request may carry one open file (sekishoctl submit passes the operator's file, so the
// daemon reads what that person can read and never opens a path it was given): with
// `attached`, a descriptor that came with the frame (SCM_RIGHTS) is put there, close-on-exec;
// any further ones are closed. Without it, passed descriptors are discarded by the kernel.
std::optional<std::string> read_frame(
    int fd, std::size_t max_bytes,
    std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt,
    UniqueFd* attached = nullptr);
void write_frame(int fd, std::string_view body);
// write_frame, passing the descriptor `file` along with the frame's first byte.
void write_frame_with_file(int fd, std::string_view body, int file);

}  // namespace sekisho::control

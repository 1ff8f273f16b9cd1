#include "daemon/control/frame.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sekisho::control {
namespace {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// Waits until the socket is readable or the deadline has passed.
void wait_readable(int fd, const Deadline& deadline) {
    if (!deadline)
        return;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        *deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0)
        throw FrameError("timed out waiting for the peer");
}

// Reads exactly n bytes; false when the peer closed before the first byte.
bool read_exact(int fd, char* out, std::size_t n, const Deadline& deadline) {
    std::size_t got = 0;
    while (got < n) {
        wait_readable(fd, deadline);
        const ssize_t r = ::recv(fd, out + got, n - got, 0);
        if (r > 0) {
            got += static_cast<std::size_t>(r);
            continue;
        }
        if (r == 0) {
            if (got == 0)
                return false;
            throw FrameError("the peer closed the connection in the middle of a message");
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            throw FrameError("timed out waiting for the peer");
        throw FrameError(std::string("cannot read from the control socket: ") +
                         std::strerror(errno));
    }
    return true;
}

void write_all(int fd, const char* data, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
        if (w >= 0) {
            data += w;
            n -= static_cast<std::size_t>(w);
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            throw FrameError("timed out writing to the peer");
        throw FrameError(std::string("cannot write to the control socket: ") +
                         std::strerror(errno));
    }
}

}  // namespace

std::optional<std::string> read_frame(int fd, std::size_t max_bytes, Deadline deadline) {
    std::array<unsigned char, 4> head{};
    if (!read_exact(fd, reinterpret_cast<char*>(head.data()), head.size(), deadline))
        return std::nullopt;
    const std::size_t size = (std::size_t{head[0]} << 24) | (std::size_t{head[1]} << 16) |
                             (std::size_t{head[2]} << 8) | std::size_t{head[3]};
    if (size > max_bytes) {
        throw FrameError("message of " + std::to_string(size) + " bytes exceeds the limit of " +
                         std::to_string(max_bytes));
    }
    std::string body(size, '\0');
    if (size > 0 && !read_exact(fd, body.data(), size, deadline))
        throw FrameError("the peer closed the connection in the middle of a message");
    return body;
}

void write_frame(int fd, std::string_view body) {
    if (body.size() > kMaxReplyFrameBytes)
        throw FrameError("message of " + std::to_string(body.size()) + " bytes is too large");
    const auto n = static_cast<std::uint32_t>(body.size());
    const std::array<char, 4> head{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                                   static_cast<char>(n >> 8), static_cast<char>(n)};
    write_all(fd, head.data(), head.size());
    write_all(fd, body.data(), body.size());
}

}  // namespace sekisho::control

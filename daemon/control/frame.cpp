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

// recv, keeping the first descriptor passed along in `attached` (when given).
ssize_t receive(int fd, char* out, std::size_t n, UniqueFd* attached) {
    if (attached == nullptr)
        return ::recv(fd, out, n, 0);
    iovec iov{out, n};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * 4)> control{};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t r = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int passed = -1;
            std::memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (!*attached) {
                attached->reset(passed);
            } else {
                ::close(passed);
            }
        }
    }
    return r;
}

// Reads exactly n bytes; false when the peer closed before the first byte.
bool read_exact(int fd, char* out, std::size_t n, const Deadline& deadline,
                UniqueFd* attached = nullptr) {
    std::size_t got = 0;
    while (got < n) {
        wait_readable(fd, deadline);
        const ssize_t r = receive(fd, out + got, n - got, attached);
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

std::optional<std::string> read_frame(int fd, std::size_t max_bytes, Deadline deadline,
                                      UniqueFd* attached) {
    std::array<unsigned char, 4> head{};
    if (!read_exact(fd, reinterpret_cast<char*>(head.data()), head.size(), deadline, attached))
        return std::nullopt;
    const std::size_t size = (std::size_t{head[0]} << 24) | (std::size_t{head[1]} << 16) |
                             (std::size_t{head[2]} << 8) | std::size_t{head[3]};
    if (size > max_bytes) {
        throw FrameError("message of " + std::to_string(size) + " bytes exceeds the limit of " +
                         std::to_string(max_bytes));
    }
    std::string body(size, '\0');
    if (size > 0 && !read_exact(fd, body.data(), size, deadline, attached))
        throw FrameError("the peer closed the connection in the middle of a message");
    return body;
}

namespace {

std::array<char, 4> head_of(std::string_view body) {
    if (body.size() > kMaxReplyFrameBytes)
        throw FrameError("message of " + std::to_string(body.size()) + " bytes is too large");
    const auto n = static_cast<std::uint32_t>(body.size());
    return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
            static_cast<char>(n)};
}

}  // namespace

void write_frame(int fd, std::string_view body) {
    const auto head = head_of(body);
    write_all(fd, head.data(), head.size());
    write_all(fd, body.data(), body.size());
}

void write_frame_with_file(int fd, std::string_view body, int file) {
    auto head = head_of(body);
    iovec iov{head.data(), 1};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &file, sizeof(int));
    ssize_t sent = -1;
    do {
        sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent != 1)
        throw FrameError(std::string("cannot pass the file to the control socket: ") +
                         std::strerror(errno));
    write_all(fd, head.data() + 1, head.size() - 1);
    write_all(fd, body.data(), body.size());
}

}  // namespace sekisho::control

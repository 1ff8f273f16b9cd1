#include "adapters/clamd/connection.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "adapters/clamd/error.hpp"

namespace sekisho::clamd {
namespace {

using Clock = std::chrono::steady_clock;

int milliseconds_left(Deadline deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
        return 0;
    return static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), 1 << 30));
}

// Closes the descriptor unless released to a Connection.
struct FdGuard {
    int fd;
    ~FdGuard() {
        if (fd >= 0)
            ::close(fd);
    }
    int release() { return std::exchange(fd, -1); }
};

std::string errno_text(int err) {
    return std::strerror(err);
}

// Waits until a non-blocking connect() finishes; returns 0 or the connect error.
int finish_connect(int fd, Deadline deadline) {
    for (;;) {
        pollfd p{fd, POLLOUT, 0};
        const int left = milliseconds_left(deadline);
        if (left == 0)
            return ETIMEDOUT;
        const int n = ::poll(&p, 1, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            return ETIMEDOUT;
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            return errno;
        return err;
    }
}

// 0 when connected, otherwise the error.
int connect_fd(int fd, const sockaddr* addr, socklen_t len, Deadline deadline) {
    if (::connect(fd, addr, len) == 0)
        return 0;
    if (errno == EINPROGRESS || errno == EINTR)
        return finish_connect(fd, deadline);
    return errno;
}

[[noreturn]] void throw_connect_error(int err, const std::string& peer) {
    if (err == ETIMEDOUT)
        throw ClamdError(Unavailable::timeout, "clamd " + peer + ": connect timed out");
    throw ClamdError(Unavailable::unreachable, "clamd " + peer + ": connect: " + errno_text(err));
}

int open_unix(const Address& address, Deadline deadline) {
    FdGuard fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (fd.fd < 0)
        throw ClamdError(Unavailable::unreachable, "socket: " + errno_text(errno));
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, address.path.data(), address.path.size());
    const int err = connect_fd(fd.fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa, deadline);
    if (err != 0)
        throw_connect_error(err, address.describe());
    return fd.release();
}

int open_tcp(const Address& address, Deadline deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(address.host.c_str(), address.port.c_str(), &hints, &found);
    if (rc != 0) {
        throw ClamdError(Unavailable::unreachable,
                         "clamd " + address.describe() + ": resolve: " + ::gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
    int last_error = ECONNREFUSED;
    for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        FdGuard fd{::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            ai->ai_protocol)};
        if (fd.fd < 0) {
            last_error = errno;
            continue;
        }
        last_error = connect_fd(fd.fd, ai->ai_addr, ai->ai_addrlen, deadline);
        if (last_error == 0)
            return fd.release();
        if (last_error == ETIMEDOUT)
            break;
    }
    throw_connect_error(last_error, address.describe());
}

}  // namespace

Connection Connection::open(const Address& address, Deadline deadline) {
    const int fd = address.kind == Address::Kind::unix_socket ? open_unix(address, deadline)
                                                              : open_tcp(address, deadline);
    return Connection(fd, address.describe());
}

Connection::~Connection() {
    if (fd_ >= 0)
        ::close(fd_);
}

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), peer_(std::move(other.peer_)) {}

void Connection::wait_for(short events, Deadline deadline, std::string_view step) const {
    for (;;) {
        const int left = milliseconds_left(deadline);
        pollfd p{fd_, events, 0};
        const int n = left == 0 ? 0 : ::poll(&p, 1, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw ClamdError(Unavailable::unreachable,
                             "clamd " + peer_ + ": poll: " + errno_text(errno));
        if (n == 0) {
            throw ClamdError(Unavailable::timeout,
                             "clamd " + peer_ + ": " + std::string(step) + " timed out");
        }
        return;  // ready, or an error/hang-up the next call will report
    }
}

bool Connection::send_all(std::string_view bytes, Deadline deadline) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            wait_for(POLLOUT, deadline, "write");
            continue;
        }
        return false;  // EPIPE, ECONNRESET, ...: the peer is gone or gave up
    }
    return true;
}

std::string Connection::read_reply(std::size_t max_bytes, Deadline deadline) {
    std::string reply;
    char buf[1024];
    for (;;) {
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            wait_for(POLLIN, deadline, "read");
            continue;
        }
        if (n <= 0 && reply.empty()) {
            throw ClamdError(Unavailable::unreachable,
                             "clamd " + peer_ + ": connection closed without a reply");
        }
        if (n <= 0) {
            throw ClamdError(Unavailable::error,
                             "clamd " + peer_ + ": reply not terminated by NUL");
        }
        const std::string_view got(buf, static_cast<std::size_t>(n));
        const auto nul = got.find('\0');
        reply.append(got.substr(0, nul));
        if (reply.size() > max_bytes) {
            throw ClamdError(Unavailable::error, "clamd " + peer_ + ": reply longer than " +
                                                     std::to_string(max_bytes) + " bytes");
        }
        if (nul != std::string_view::npos)
            return reply;
    }
}

}  // namespace sekisho::clamd

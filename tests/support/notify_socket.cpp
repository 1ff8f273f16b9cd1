#include "tests/support/notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace sekisho::test {

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path_.native().size() >= sizeof addr.sun_path) {
        throw std::runtime_error("cannot make notify socket");
    }
    std::strcpy(addr.sun_path, path_.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        throw std::runtime_error("cannot bind notify socket");
    }
}

NotifySocket::~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
}

bool NotifySocket::wait_for(std::string_view line, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (; consumed_ < messages_.size(); ++consumed_) {
            if (messages_[consumed_].find(line) != std::string::npos) {
                ++consumed_;
                return true;
            }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
            continue;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0)
            messages_.emplace_back(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace sekisho::test

#include "tests/integration/clamd/fake_clamd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace sekisho::test {

FakeClamd::FakeClamd(std::filesystem::path socket_path, FakeBehaviour behaviour)
    : path_(std::move(socket_path)), behaviour_(std::move(behaviour)) {
    if (::pipe2(stop_, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
        throw std::runtime_error("fake clamd cannot listen on " + path_.string());
    }
    thread_ = std::thread([this] { serve(); });
}

FakeClamd::~FakeClamd() {
    (void)!::write(stop_[1], "x", 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(stop_[0]);
    ::close(stop_[1]);
}

bool FakeClamd::wait_readable(int fd) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    while (::poll(p, 2, -1) < 0) {
    }
    return (p[1].revents & POLLIN) == 0;
}

void FakeClamd::serve() {
    std::vector<int> held;  // silent connections stay open until the end
    while (wait_readable(listen_fd_)) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        ++connections_;
        if (behaviour_.silent) {
            held.push_back(fd);
            continue;
        }
        handle(fd);
        ::close(fd);
    }
    for (int fd : held)
        ::close(fd);
}

std::string FakeClamd::read_request(int fd, bool command_only) {
    std::string buf;
    std::string command;
    std::size_t pos = 0;  // INSTREAM: where the next chunk length starts
    for (;;) {
        if (command.empty()) {
            const auto nul = buf.find('\0');
            if (nul != std::string::npos) {
                command = buf.substr(0, nul);
                pos = nul + 1;
                if (command != "zINSTREAM" || command_only)
                    return command;
            }
        }
        while (!command.empty() && buf.size() >= pos + 4) {
            const auto* p = reinterpret_cast<const unsigned char*>(buf.data() + pos);
            const std::size_t n = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) |
                                  (std::size_t{p[2]} << 8) | p[3];
            if (n == 0)
                return command;
            if (buf.size() < pos + 4 + n)
                break;
            pos += 4 + n;
        }
        if (!wait_readable(fd))
            return {};
        char chunk[65536];
        const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0)
            return {};
        buf.append(chunk, static_cast<std::size_t>(got));
    }
}

void FakeClamd::handle(int fd) {
    const std::string command = read_request(fd, behaviour_.early);
    if (command.empty())
        return;
    const std::string& reply = command == "zVERSION" && !behaviour_.version_reply.empty()
                                   ? behaviour_.version_reply
                                   : behaviour_.reply;
    std::size_t done = 0;
    while (done < reply.size()) {
        const ssize_t n = ::send(fd, reply.data() + done, reply.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace sekisho::test

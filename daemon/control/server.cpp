#include "daemon/control/server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/log.hpp"
#include "daemon/control/frame.hpp"

namespace sekisho::control {
namespace {

constexpr int kRequestTimeoutSeconds = 10;
// The whole request must arrive within this, however slowly it trickles in.
constexpr auto kRequestDeadline = std::chrono::seconds(10);
constexpr int kReplyTimeoutSeconds = 60;
constexpr mode_t kSocketMode = 0660;
constexpr mode_t kDirectoryMode = 0750;

std::string errno_text() {
    return std::strerror(errno);
}

void set_timeout(int fd, int option, int seconds) {
    const timeval tv{seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

sockaddr_un address_of(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path.string();
    if (p.size() >= sizeof(addr.sun_path)) {
        throw std::runtime_error("daemon.control_socket " + p + " is longer than " +
                                 std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
    }
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    return addr;
}

// A socket file left by a daemon that died is removed; one that answers belongs to a
// running daemon, and anything else at the path is not ours to delete.
void clear_stale_socket(const std::filesystem::path& path, const sockaddr_un& addr) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return;
    if (!S_ISSOCK(st.st_mode))
        throw std::runtime_error(path.string() + " exists and is not a socket");
    const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool alive =
        probe >= 0 && ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
    if (probe >= 0)
        ::close(probe);
    if (alive)
        throw std::runtime_error(path.string() + " is in use by another process");
    ::unlink(path.c_str());
}

boost::json::object parse_request(const std::string& text) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        throw std::invalid_argument("the request is not a JSON object");
    return std::move(v.as_object());
}

}  // namespace

void Replier::send(const boost::json::object& frame) {
    if (gone_)
        return;
    try {
        write_frame(fd_, boost::json::serialize(frame));
    } catch (const FrameError& e) {
        gone_ = true;
        log::warning("control socket: the client went away; the request goes on",
                     {{"reason", e.what()}});
    }
}

void Replier::row(boost::json::value v) {
    boost::json::object o;
    o["row"] = std::move(v);
    send(o);
}

void Replier::line(std::string_view text) {
    boost::json::object o;
    o["line"] = text;
    send(o);
}

void Replier::done(int exit_code, const std::string& message, boost::json::object result) {
    finished_ = true;
    exit_code_ = exit_code;
    message_ = message;
    result_ = std::move(result);
}

void Replier::send_done() {
    if (sent_ || !finished_)
        return;
    sent_ = true;
    boost::json::object d;
    d["exit"] = exit_code_;
    d["message"] = message_;
    d["result"] = std::move(result_);
    boost::json::object o;
    o["done"] = std::move(d);
    send(o);
}

ControlServer::ControlServer(std::filesystem::path socket_path, RequestHandler handler)
    : path_(std::move(socket_path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
    stop();
}

void ControlServer::bind_socket() {
    const sockaddr_un addr = address_of(path_);
    // Outside systemd (RuntimeDirectory=) the directory may be missing: made like the
    // unit makes it, reachable by the group only.
    if (::mkdir(path_.parent_path().c_str(), kDirectoryMode) == 0)
        ::chmod(path_.parent_path().c_str(), kDirectoryMode);
    clear_stale_socket(path_, addr);
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd_ < 0)
        throw std::runtime_error("cannot create the control socket: " + errno_text());
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        throw std::runtime_error("cannot bind the control socket " + path_.string() + ": " +
                                 errno_text());
    }
    // The service runs with UMask=0077, so the socket is never wider than 0600 before this.
    if (::chmod(path_.c_str(), kSocketMode) != 0 || ::listen(listen_fd_, 16) != 0) {
        throw std::runtime_error("cannot set up the control socket " + path_.string() + ": " +
                                 errno_text());
    }
}

void ControlServer::start() {
    bind_socket();
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0)
        throw std::runtime_error("cannot create a pipe: " + errno_text());
    acceptor_ = std::thread([this] { accept_loop(); });
}

void ControlServer::stop() {
    if (!acceptor_.joinable())
        return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        // Wakes threads blocked on a slow client; they end their request with an error.
        for (int fd : active_)
            ::shutdown(fd, SHUT_RDWR);
    }
    const char byte = 0;
    [[maybe_unused]] const auto n = ::write(stop_pipe_[1], &byte, 1);
    acceptor_.join();
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return active_.empty(); });
    lock.unlock();
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    ::unlink(path_.c_str());
}

void ControlServer::accept_loop() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            log::error("control socket: poll failed", {{"reason", errno_text()}});
            return;
        }
        if (fds[1].revents != 0)
            return;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            // Out of descriptors: poll would report the pending connection at once again.
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        if (!admit(fd))
            return;
    }
}

bool ControlServer::admit(int fd) {
    std::unique_lock lock(mutex_);
    if (stopping_) {
        ::close(fd);
        return false;
    }
    if (active_.size() >= kMaxConnections) {
        lock.unlock();
        refuse_busy(fd);
        return true;
    }
    active_.insert(fd);
    try {
        std::thread([this, fd] { serve(fd); }).detach();
    } catch (const std::system_error& e) {
        active_.erase(fd);
        ::close(fd);
        log::error("control socket: cannot start a thread", {{"reason", e.what()}});
    }
    return true;
}

void ControlServer::refuse_busy(int fd) {
    set_timeout(fd, SO_SNDTIMEO, 1);
    Replier busy(fd);
    busy.done(1, "sekishod is busy with " + std::to_string(kMaxConnections) +
                     " other requests; try again");
    busy.send_done();
    ::close(fd);
}

void ControlServer::serve(int fd) {
    set_timeout(fd, SO_RCVTIMEO, kRequestTimeoutSeconds);
    set_timeout(fd, SO_SNDTIMEO, kReplyTimeoutSeconds);
    Replier reply(fd);
    try {
        const Caller caller = peer_of(fd);
        UniqueFd file;
        const auto text = read_frame(fd, kMaxRequestBytes,
                                     std::chrono::steady_clock::now() + kRequestDeadline, &file);
        if (text) {
            handler_(caller, parse_request(*text), std::move(file), reply);
            if (!reply.finished())
                reply.done(1, "sekishod gave no answer");
        }
    } catch (const FrameError& e) {
        log::warning("control socket: request abandoned", {{"reason", e.what()}});
    } catch (const std::exception& e) {
        if (!reply.finished())
            reply.done(1, e.what());
    }
    reply.send_done();
    finish_connection(fd);
}

void ControlServer::finish_connection(int fd) {
    // Erased before it is closed: once closed, accept4 may hand out the same number.
    std::lock_guard lock(mutex_);
    active_.erase(fd);
    ::close(fd);
    idle_.notify_all();
}

}  // namespace sekisho::control

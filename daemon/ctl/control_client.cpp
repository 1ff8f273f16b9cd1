#include "daemon/ctl/control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>

#include "common/unique_fd.hpp"
#include "daemon/control/frame.hpp"

namespace sekisho::ctl {
namespace {

// Long enough for a key rotation or an audit check of a large queue.
constexpr int kAnswerTimeoutSeconds = 600;

std::string why_unreachable(const std::filesystem::path& socket, int err) {
    const std::string p = socket.string();
    switch (err) {
        case ENOENT:
            return "sekishod is not running (no control socket at " + p + ")";
        case ECONNREFUSED:
            return "sekishod is not running (" + p + " refuses connections)";
        case EACCES:
        case EPERM:
            return "permission denied on " + p +
                   ": the control socket is open to the sekisho service's group only; ask an "
                   "administrator to add you to it (see ls -l " +
                   p + ")";
        default:
            return "cannot connect to " + p + ": " + std::strerror(err);
    }
}

int connect_to(const std::filesystem::path& socket) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = socket.string();
    if (p.size() >= sizeof(addr.sun_path))
        throw ControlUnavailable("control socket path too long: " + p);
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw ControlUnavailable(std::string("cannot create a socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        const int err = errno;
        ::close(fd);
        throw ControlUnavailable(why_unreachable(socket, err));
    }
    const timeval tv{kAnswerTimeoutSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return fd;
}

boost::json::object parse_frame(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        throw std::runtime_error("sekishod sent something that is not a JSON object");
    return std::move(v.as_object());
}

ControlAnswer answer_of(const boost::json::object& done) {
    ControlAnswer a;
    if (const auto* e = done.if_contains("exit"); e && e->is_int64())
        a.exit_code = static_cast<int>(e->get_int64());
    if (const auto* m = done.if_contains("message"); m && m->is_string())
        a.message = m->get_string();
    if (const auto* r = done.if_contains("result"); r && r->is_object())
        a.result = r->get_object();
    return a;
}

}  // namespace

ControlAnswer call_control(const std::filesystem::path& socket, const boost::json::object& request,
                           const ControlSinks& sinks, int file) {
    UniqueFd fd(connect_to(socket));
    const std::string body = boost::json::serialize(request);
    if (body.size() > control::kMaxRequestBytes)
        throw std::runtime_error("the request is too large (" + std::to_string(body.size()) +
                                 " bytes); send fewer ids at once");
    try {
        if (file >= 0) {
            control::write_frame_with_file(fd.get(), body, file);
        } else {
            control::write_frame(fd.get(), body);
        }
    } catch (const control::FrameError&) {
        // A busy daemon answers before reading and closes: its answer is still there.
        ::shutdown(fd.get(), SHUT_WR);
    }
    for (;;) {
        const auto frame = control::read_frame(fd.get(), control::kMaxReplyFrameBytes);
        if (!frame)
            throw std::runtime_error("sekishod closed the connection without an answer");
        const auto o = parse_frame(*frame);
        if (const auto* d = o.if_contains("done"); d && d->is_object())
            return answer_of(d->get_object());
        if (const auto* r = o.if_contains("row"); r && r->is_object() && sinks.row)
            sinks.row(r->get_object());
        if (const auto* l = o.if_contains("line"); l && l->is_string() && sinks.line)
            sinks.line(l->get_string());
    }
}

}  // namespace sekisho::ctl

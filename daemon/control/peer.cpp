#include "daemon/control/peer.hpp"

#include <pwd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sekisho::control {
namespace {

constexpr std::size_t kMaxGroups = 65536;

std::vector<gid_t> peer_groups(int fd) {
    std::vector<gid_t> groups(64);
    for (;;) {
        socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
            groups.resize(len / sizeof(gid_t));
            return groups;
        }
        // ERANGE tells the size needed.
        if (errno != ERANGE || len / sizeof(gid_t) > kMaxGroups)
            throw std::runtime_error(std::string("SO_PEERGROUPS: ") + std::strerror(errno));
        groups.resize(len / sizeof(gid_t));
    }
}

}  // namespace

std::string Caller::label() const {
    const std::string id = "uid " + std::to_string(uid);
    return user == id ? id : id + " (" + user + ")";
}

std::string user_name(uid_t uid) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr)
        return found->pw_name;
    return "uid " + std::to_string(uid);
}

Caller peer_of(int fd) {
    struct ucred cred {};
    socklen_t len = sizeof(cred);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        throw std::runtime_error(std::string("SO_PEERCRED: ") + std::strerror(errno));
    Caller c;
    c.uid = cred.uid;
    c.gid = cred.gid;
    c.pid = cred.pid;
    c.groups = peer_groups(fd);
    c.user = user_name(c.uid);
    return c;
}

}  // namespace sekisho::control

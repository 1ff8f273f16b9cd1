#pragma once
// Who is on the other end of the control socket, as the kernel says (SO_PEERCRED and
// SO_PEERGROUPS): nothing a request says about its sender is ever believed.

#include <sys/types.h>

#include <string>
#include <vector>

namespace sekisho::control {

struct Caller {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    std::vector<gid_t> groups;  // supplementary groups at connect time
    std::string user;           // the account name, or "uid N" when it has none
    std::string label() const;  // "uid 1001 (tanaka)", for messages and the audit log
};

// Throws std::runtime_error when the kernel does not answer.
Caller peer_of(int fd);

// The account name of a uid, or "uid N".
std::string user_name(uid_t uid);

}  // namespace sekisho::control

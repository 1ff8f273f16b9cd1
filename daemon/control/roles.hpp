#pragma once
// [roles]: which callers of the control socket hold which role, now. Users and groups are
// looked up when a request comes, so accounts made after the daemon started count; a
// member's valid_from/valid_until bound when its role counts (seed III: IDs take effect
// and expire on set dates).

#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "daemon/control/peer.hpp"

namespace sekisho::control {

enum class Role { operator_role, approver, admin, auditor };

std::string_view name(Role r);

struct Authorization {
    std::vector<Role> roles;                 // empty: refused
    std::string refusal;                     // why, when refused: for the caller and the audit log
    std::vector<std::string> out_of_window;  // entries that match but are not in force now
    bool has(Role r) const;
};

Authorization authorize(const config::RoleSettings& roles, const Caller& caller,
                        config::TimePoint now);

}  // namespace sekisho::control

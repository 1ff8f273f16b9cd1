#include "daemon/control/roles.hpp"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "common/time_format.hpp"

namespace sekisho::control {
namespace {

std::optional<uid_t> uid_of(const std::string& user) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
        return std::nullopt;
    return found->pw_uid;
}

std::optional<gid_t> gid_of(const std::string& group) {
    struct group gr {};
    struct group* found = nullptr;
    std::vector<char> buf(65536);
    if (::getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
        return std::nullopt;
    return found->gr_gid;
}

bool matches(const config::RoleMember& m, const Caller& c) {
    if (m.kind == config::RoleMember::Kind::user) {
        const auto uid = uid_of(m.name);
        return uid && *uid == c.uid;
    }
    const auto gid = gid_of(m.name);
    return gid && (*gid == c.gid || std::ranges::find(c.groups, *gid) != c.groups.end());
}

std::string date_of(config::TimePoint t) {
    return rfc3339_utc(unix_ms(t));
}

// Empty when the member's window holds `now`, else why not.
std::string outside_window(const config::RoleMember& m, config::TimePoint now) {
    if (m.valid_from && now < *m.valid_from)
        return "not valid before " + date_of(*m.valid_from);
    if (m.valid_until && now >= *m.valid_until)
        return "expired at " + date_of(*m.valid_until);
    return "";
}

std::string member_text(const config::RoleMember& m) {
    return (m.kind == config::RoleMember::Kind::user ? "user:" : "group:") + m.name;
}

}  // namespace

std::string_view name(Role r) {
    switch (r) {
        case Role::operator_role:
            return "operator";
        case Role::approver:
            return "approver";
        case Role::admin:
            return "admin";
        case Role::auditor:
            return "auditor";
    }
    return "unknown";
}

bool Authorization::has(Role r) const {
    return std::ranges::find(roles, r) != roles.end();
}

Authorization authorize(const config::RoleSettings& roles, const Caller& caller,
                        config::TimePoint now) {
    const std::pair<Role, const std::vector<config::RoleMember>*> table[] = {
        {Role::operator_role, &roles.operators},
        {Role::approver, &roles.approvers},
        {Role::admin, &roles.admins},
        {Role::auditor, &roles.auditors}};
    Authorization a;
    auto& out_of_window = a.out_of_window;
    for (const auto& [role, members] : table) {
        for (const auto& m : *members) {
            if (!matches(m, caller))
                continue;
            const std::string why = outside_window(m, now);
            if (why.empty()) {
                if (!a.has(role))
                    a.roles.push_back(role);
            } else {
                out_of_window.push_back(std::string(name(role)) + " as " + member_text(m) + " " +
                                        why);
            }
        }
    }
    if (!a.roles.empty())
        return a;
    if (out_of_window.empty()) {
        a.refusal = caller.label() + " has no role in [roles]";
        return a;
    }
    a.refusal = caller.label() + " has no role in force now:";
    for (const auto& w : out_of_window)
        a.refusal += " " + w + ";";
    a.refusal.pop_back();
    return a;
}

}  // namespace sekisho::control

#include <unistd.h>

#include <catch2/catch.hpp>

#include "daemon/control/commands.hpp"
#include "daemon/control/roles.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::control;
using namespace std::chrono_literals;

namespace {

// This process's own uid and name: the only account a unit test can count on.
Caller me() {
    Caller c;
    c.uid = ::getuid();
    c.gid = ::getgid();
    c.user = test::current_user();
    return c;
}

config::RoleMember user(const std::string& name) {
    return {config::RoleMember::Kind::user, name, std::nullopt, std::nullopt};
}

const auto kNow = std::chrono::system_clock::now();

}  // namespace

TEST_CASE("a user entry gives its role to that uid only", "[control][roles]") {
    config::RoleSettings roles;
    roles.operators.push_back(user(test::current_user()));
    roles.auditors.push_back(user("no-such-user-sekisho"));
    const auto a = authorize(roles, me(), kNow);
    CHECK(a.roles == std::vector<Role>{Role::operator_role});
    Caller other = me();
    other.uid = 65534 == other.uid ? 65533 : 65534;
    other.user = "uid " + std::to_string(other.uid);
    const auto refused = authorize(roles, other, kNow);
    CHECK(refused.roles.empty());
    CHECK_THAT(refused.refusal, Catch::Contains("has no role in [roles]"));
}

TEST_CASE("a group entry counts the primary and the supplementary groups", "[control][roles]") {
    config::RoleSettings roles;
    roles.approvers.push_back({config::RoleMember::Kind::group, "root", {}, {}});
    Caller c = me();
    c.uid = 4242;
    c.gid = 4242;
    c.groups = {};
    CHECK(authorize(roles, c, kNow).roles.empty());
    c.groups = {0};
    CHECK(authorize(roles, c, kNow).has(Role::approver));
    c.groups = {};
    c.gid = 0;
    CHECK(authorize(roles, c, kNow).has(Role::approver));
}

TEST_CASE("validity windows bound when a role counts", "[control][roles]") {
    config::RoleSettings roles;
    auto expired = user(test::current_user());
    expired.valid_until = kNow - 1h;
    auto future = user(test::current_user());
    future.valid_from = kNow + 24h;
    auto current = user(test::current_user());
    current.valid_from = kNow - 1h;
    current.valid_until = kNow + 1h;
    roles.operators.push_back(expired);
    roles.approvers.push_back(future);
    auto a = authorize(roles, me(), kNow);
    CHECK(a.roles.empty());
    CHECK_THAT(a.refusal, Catch::Contains("no role in force now") &&
                              Catch::Contains("expired at") && Catch::Contains("not valid before"));
    roles.admins.push_back(current);
    a = authorize(roles, me(), kNow);
    CHECK(a.roles == std::vector<Role>{Role::admin});
    CHECK(a.out_of_window.size() == 2);
    // valid_until is exclusive, valid_from inclusive.
    CHECK(authorize(roles, me(), kNow + 1h).roles.empty());
    CHECK(authorize(roles, me(), kNow - 1h).has(Role::admin));
}

TEST_CASE("the role matrix gives each role exactly its commands", "[control][roles]") {
    const auto with = [](Role r) {
        Authorization a;
        a.roles = {r};
        return a;
    };
    const std::vector<std::pair<std::string, std::vector<Role>>> matrix{
        {"status", {Role::operator_role, Role::approver, Role::admin, Role::auditor}},
        {"list", {Role::operator_role, Role::approver, Role::auditor}},
        {"show", {Role::operator_role, Role::approver, Role::auditor}},
        {"show-content", {Role::operator_role}},
        {"release", {Role::operator_role}},
        {"reject", {Role::operator_role}},
        {"hold", {Role::operator_role}},
        {"requeue", {Role::operator_role}},
        {"approve", {Role::approver}},
        {"audit-verify", {Role::auditor}},
        {"audit-export", {Role::auditor}},
        {"certs-list", {Role::admin, Role::auditor}},
        {"certs-rotate", {Role::admin}},
        {"certs-rollback", {Role::admin}},
        {"keys-rotate", {Role::admin}},
    };
    for (const auto& [command, allowed] : matrix) {
        INFO(command);
        CHECK(known_command(command));
        for (Role r : {Role::operator_role, Role::approver, Role::admin, Role::auditor}) {
            INFO(name(r));
            CHECK(permitted(command, with(r)) ==
                  (std::find(allowed.begin(), allowed.end(), r) != allowed.end()));
        }
    }
    CHECK_FALSE(known_command("purge"));
    CHECK_FALSE(permitted("purge", with(Role::admin)));
    CHECK(roles_allowed("certs-list") == "admin or auditor");
}

TEST_CASE("an operator's rejection text never carries a 12-digit number", "[control]") {
    CHECK_FALSE(reason_text_problem("添付書類の不足"));
    CHECK_FALSE(reason_text_problem("事業所番号 12345 の記載誤り"));
    // Runs of 12 or more digits, however written, are refused: a 個人番号 may hide in them.
    CHECK(reason_text_problem("法人番号 1234567890123 は13桁"));
    CHECK(reason_text_problem("123456789012 2枚目"));
    CHECK(reason_text_problem("１２３４５６７８９０１２　２枚目"));
    CHECK(reason_text_problem("1234.5678.9012"));
    CHECK(reason_text_problem("1234/5678/9012"));
    CHECK_FALSE(reason_text_problem("2026-12-02 提出分"));
    CHECK_FALSE(reason_text_problem("電話 03-1234-5678"));
    CHECK(reason_text_problem("123456789012"));
    CHECK(reason_text_problem("番号1234-5678-9012を確認"));
    CHECK(reason_text_problem("１２３４ ５６７８ ９０１２"));
    CHECK(reason_text_problem("１２３４　５６７８　９０１２"));
    CHECK(reason_text_problem(""));
    CHECK(reason_text_problem("two\nlines"));
    CHECK(reason_text_problem(std::string(401, 'a')));
    CHECK_FALSE(reason_text_problem(std::string(400, 'a')));
}

// The role matrix of sekishoctl(8) with real, different uids: every command once for every
// role user, the callers with no role in force, a user the socket's mode keeps out, and an
// audit record of every attempt with the caller's uid and its result.

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "tests/integration/control/control_fixture.hpp"

using namespace sekisho::test;

namespace {

// How the command is typed, as the refusal names it: "keys rotate", "show --content".
std::string typed(const std::string& command) {
    if (command == "show-content")
        return "show --content";
    std::string words = command;
    std::replace(words.begin(), words.end(), '-', ' ');
    return words;
}

enum : unsigned { kOperator = 1, kApprover = 2, kAdmin = 4, kAuditor = 8 };

// The matrix as the manual states it, in the order the daemon names the roles.
struct Command {
    std::string name;  // as the audit log names it
    unsigned roles;
};

const std::vector<Command> kCommands{
    {"status", kOperator | kApprover | kAdmin | kAuditor},
    {"list", kOperator | kApprover | kAuditor},
    {"show", kOperator | kApprover | kAuditor},
    {"show-content", kOperator},
    {"release", kOperator},
    {"reject", kOperator},
    {"hold", kOperator},
    {"requeue", kOperator},
    {"approve", kApprover},
    {"audit-verify", kAuditor},
    {"audit-export", kAuditor},
    {"certs-list", kAdmin | kAuditor},
    {"certs-rotate", kAdmin},
    {"certs-rollback", kAdmin},
    {"keys-rotate", kAdmin},
};

std::string role_names(unsigned roles, const char* separator) {
    std::string s;
    for (const auto& [bit, name] :
         std::vector<std::pair<unsigned, std::string>>{{kOperator, "operator"},
                                                       {kApprover, "approver"},
                                                       {kAdmin, "admin"},
                                                       {kAuditor, "auditor"}}) {
        if (roles & bit)
            s += (s.empty() ? "" : separator) + name;
    }
    return s;
}

std::string label(const Account& a) {
    return "uid " + std::to_string(a.uid) + " (" + a.name + ")";
}

const std::string kReason = "書類不備";

// Items of the matrix test; `untouched` takes every refused item command and must come
// out of the test as it went in.
struct Items {
    std::string untouched, content, release, reject, hold, requeue;
};

std::vector<std::string> args_of(const std::string& command, bool allowed, const Items& it,
                                 const ControlFixture& f) {
    const auto item = [&](const std::string& own) { return allowed ? own : it.untouched; };
    if (command == "status")
        return {"status"};
    if (command == "list")
        return {"list"};
    if (command == "show")
        return {"show", it.untouched};
    if (command == "show-content")
        return {"show", "--content", item(it.content)};
    if (command == "release")
        return {"release", item(it.release)};
    if (command == "reject")
        return {"reject", item(it.reject), "--reason", kReason};
    if (command == "hold")
        return {"hold", item(it.hold)};
    if (command == "requeue")
        return {"requeue", item(it.requeue)};
    if (command == "approve")
        return {"approve", it.untouched};
    if (command == "audit-verify")
        return {"audit", "verify"};
    if (command == "audit-export")
        return {"audit", "export"};
    if (command == "certs-list")
        return {"certs", "list"};
    if (command == "certs-rotate") {
        return {"certs",  "rotate",
                "--use",  "no-such-client",
                "--cert", f.cert_file().string(),
                "--key",  f.key_file().string()};
    }
    if (command == "certs-rollback")
        return {"certs", "rollback", "--use", "no-such-client"};
    if (command == "keys-rotate")
        return {"keys", "rotate"};
    FAIL("no arguments for " << command);
    return {};
}

// What an allowed command must have done (not a role refusal, and its own effect).
void check_allowed(const std::string& command, const Completed& r, const Items& it) {
    CHECK_THAT(r.err, !Catch::Contains("role"));
    if (command == "approve") {
        // Nothing waits for approval (require_approval is off): failed, but not by role.
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.out,
                   Catch::Contains("no release of " + it.untouched + " is waiting for approval"));
        CHECK_THAT(r.err, Catch::Contains("no items, refused 1"));
    } else if (command == "certs-rotate" || command == "certs-rollback") {
        CHECK((r.exit_code == 1 || r.exit_code == 2));
        CHECK_THAT(r.err, Catch::Contains("no-such-client"));
    } else {
        CHECK(r.exit_code == 0);
    }
    if (command == "list")
        CHECK_THAT(r.out, Catch::Contains(it.untouched));
    if (command == "show")
        CHECK_THAT(r.out, Catch::Contains("state: staged"));
    if (command == "show-content") {
        CHECK_THAT(r.out, Catch::Contains("950A010700015000"));
        CHECK_THAT(r.out, Catch::Contains("2200700"));
    }
    if (command == "release")
        CHECK_THAT(r.out, Catch::Contains(it.release + "  released"));
    if (command == "reject")
        CHECK_THAT(r.out, Catch::Contains(it.reject + "  rejected"));
    if (command == "hold")
        CHECK_THAT(r.out, Catch::Contains(it.hold + "  held"));
    if (command == "requeue")
        CHECK_THAT(r.out, Catch::Contains(it.requeue + "  requeued"));
    if (command == "audit-verify")
        CHECK_THAT(r.out, Catch::Contains("audit log intact"));
    if (command == "audit-export")
        CHECK_THAT(r.out, Catch::Contains("\"action\":\"daemon started\""));
    if (command == "keys-rotate")
        CHECK_THAT(r.out, Catch::Contains("new working keys"));
}

std::string state_of(ControlFixture& f, const std::string& id) {
    const auto r = f.ctl(f.auditor, {"--json", "show", id});
    f.expect_record(f.auditor, "show", r.exit_code == 0 ? "ok" : "failed");
    REQUIRE(r.exit_code == 0);
    boost::system::error_code ec;
    const auto v = boost::json::parse(r.out.substr(0, r.out.find('\n')), ec);
    REQUIRE_FALSE(ec);
    return std::string(v.at("state").as_string());
}

// Audit export as the auditor, then: every attempt recorded, with the caller's uid and
// result, and nothing else recorded for a caller.
std::vector<AuditRow> check_every_attempt_audited(ControlFixture& f) {
    const auto verify = f.ctl(f.auditor, {"audit", "verify"});
    f.expect_record(f.auditor, "audit-verify", "ok");
    CHECK(verify.exit_code == 0);
    CHECK_THAT(verify.out, Catch::Contains("audit log intact"));

    const auto exported = f.ctl(f.auditor, {"--json", "audit", "export"});
    REQUIRE(exported.exit_code == 0);
    // The export's own record is written once it has been sent: not in it.
    const auto rows = parse_audit(exported.out);
    f.expect_record(f.auditor, "audit-export", "ok");
    auto got = ControlFixture::control_records(rows);
    auto expected = f.expected();
    --expected[{f.auditor.uid, "audit-export", "ok"}];
    std::map<std::int64_t, int> expected_per_uid;
    std::map<std::int64_t, int> got_per_uid;
    for (const auto& [key, n] : expected) {
        const auto& [uid, command, result] = key;
        INFO("uid " << uid << " command " << command << " result " << result);
        CHECK(got[key] == n);
        expected_per_uid[uid] += n;
    }
    for (const auto& [key, n] : got) {
        const auto& [uid, command, result] = key;
        INFO("recorded, not made by the test: uid " << uid << " command " << command << " result "
                                                    << result);
        CHECK(expected[key] == n);
        got_per_uid[uid] += n;
    }
    for (const auto& [uid, n] : expected_per_uid) {
        INFO("uid " << uid);
        CHECK(got_per_uid[uid] == n);
    }
    // A refusal is audited as such; anything else as ok or failed.
    for (const auto& r : rows) {
        if (r.action == "control refused")
            CHECK(r.detail("result") == "refused");
        if (r.action == "control")
            CHECK((r.detail("result") == "ok" || r.detail("result") == "failed"));
    }
    return rows;
}

bool has_record(const std::vector<AuditRow>& rows, const std::string& action,
                const std::string& item, uid_t uid) {
    for (const auto& r : rows) {
        if (r.action == action && r.item_id == item &&
            r.actor_uid == static_cast<std::int64_t>(uid))
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("every role runs what the matrix allows and is refused the rest, each attempt audited",
          "[control][roles]") {
    ControlFixture f({.items = 6});
    const Items it{f.items()[0], f.items()[1], f.items()[2],
                   f.items()[3], f.items()[4], f.items()[5]};

    struct RoleUser {
        const Account* account;
        unsigned roles;
    };
    const std::vector<RoleUser> users{{&f.operator_user, kOperator},
                                      {&f.approver1, kApprover},
                                      {&f.approver2, kApprover},
                                      {&f.admin, kAdmin},
                                      {&f.auditor, kAuditor}};

    // requeue applies to a held item: the operator holds it first.
    const auto held = f.ctl(f.operator_user, {"hold", it.requeue});
    f.expect_record(f.operator_user, "hold", "ok");
    REQUIRE(held.exit_code == 0);

    for (const auto& u : users) {
        const Account& who = *u.account;
        for (const auto& c : kCommands) {
            const bool allowed = (c.roles & u.roles) != 0;
            const auto r = f.ctl(who, args_of(c.name, allowed, it, f));
            INFO(who.name << " (" << role_names(u.roles, ", ") << ") runs " << c.name << ": exit "
                          << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
            if (allowed) {
                check_allowed(c.name, r, it);
                f.expect_record(who, c.name, r.exit_code == 0 ? "ok" : "failed");
            } else {
                CHECK(r.exit_code == 1);
                CHECK_THAT(r.err,
                           Catch::Contains("sekishoctl: `" + typed(c.name) + "` needs the " +
                                           role_names(c.roles, " or ") + " role; " + label(who) +
                                           " holds: " + role_names(u.roles, ", ")));
                f.expect_record(who, c.name, "refused");
            }
        }
    }

    // No role in force: refused whatever they ask.
    const std::vector<std::pair<const Account*, std::string>> roleless{
        {&f.no_role, label(f.no_role) + " has no role in [roles]"},
        {&f.expired, label(f.expired) + " has no role in force now: operator as user:" +
                         f.expired.name + " expired at 2020-"},
        {&f.not_yet, label(f.not_yet) + " has no role in force now: operator as user:" +
                         f.not_yet.name + " not valid before 2099-"}};
    for (const auto& [who, message] : roleless) {
        for (const auto& c : kCommands) {
            const auto r = f.ctl(*who, args_of(c.name, false, it, f));
            INFO(who->name << " runs " << c.name << ": exit " << r.exit_code
                           << "\nstderr: " << r.err);
            CHECK(r.exit_code == 1);
            CHECK_THAT(r.err, Catch::Contains("sekishoctl: " + message));
            f.expect_record(*who, c.name, "refused");
        }
    }

    // Not in the service group: the kernel refuses the connection (nothing to audit).
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"status"}, {"list"}, {"release", it.untouched}}) {
        const auto r = f.ctl(f.outsider, args);
        INFO("outsider runs " << args.front() << ": " << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("permission denied on " + f.socket().string()));
    }

    // What the item commands did, and what the refusals did not.
    CHECK(state_of(f, it.untouched) == "staged");
    CHECK(state_of(f, it.release) == "released");
    CHECK(state_of(f, it.reject) == "rejected");
    CHECK(state_of(f, it.hold) == "held");
    CHECK(state_of(f, it.requeue) != "held");
    CHECK(state_of(f, it.content) == "staged");

    const auto rows = check_every_attempt_audited(f);
    const uid_t op = f.operator_user.uid;
    CHECK(has_record(rows, "release", it.release, op));
    CHECK(has_record(rows, "reject", it.reject, op));
    CHECK(has_record(rows, "hold", it.hold, op));
    CHECK(has_record(rows, "hold", it.requeue, op));
    CHECK(has_record(rows, "requeue", it.requeue, op));
    CHECK(has_record(rows, "content viewed", it.content, op));
    CHECK(has_record(rows, "keys rotated", "", f.admin.uid));
    for (const auto& r : rows) {
        INFO("record " << r.seq << " " << r.action << " by " << r.actor);
        // Refused and failed requests changed nothing about the untouched item: the only
        // records about it by a person are the refusals themselves (e.g. an approve with
        // nothing to approve), each with its reason.
        if (r.item_id == it.untouched && r.actor_uid.has_value())
            CHECK(r.action.ends_with(" refused"));
        // Nobody outside the service group reached the daemon.
        CHECK(r.actor_uid != static_cast<std::int64_t>(f.outsider.uid));
    }
    CHECK(f.stop_daemon() == 0);
}

TEST_CASE("operators hold by ALL and by ids on stdin, and no reason may carry a 12-digit number",
          "[control][roles]") {
    ControlFixture f({.items = 6});
    const auto& items = f.items();
    const std::string n = items[0];

    for (const std::string reason : {"123456789012", "１２３４ ５６７８ ９０１２",
                                     "番号１２３４\u3000５６７８\u3000９０１２です"}) {
        const auto r = f.ctl(f.operator_user, {"reject", n, "--reason", reason});
        INFO("reason " << reason << ": " << r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains("12 or more digits"));
        f.expect_record(f.operator_user, "reject", "failed");
    }
    CHECK(state_of(f, n) == "staged");

    // Ids on standard input, comments and blank lines skipped.
    const auto by_stdin = f.ctl(f.operator_user, {"hold", "-"},
                                "# two of them\n" + items[1] + "\n\n  " + items[2] + "  \n");
    f.expect_record(f.operator_user, "hold", "ok");
    CHECK(by_stdin.exit_code == 0);
    CHECK_THAT(by_stdin.out, Catch::Contains(items[1] + "  held"));
    CHECK_THAT(by_stdin.out, Catch::Contains(items[2] + "  held"));
    CHECK_THAT(by_stdin.out, Catch::Contains("held 2, refused 0"));

    // One held already: refused on its own, the other still held; exit 1.
    const auto mixed = f.ctl(f.operator_user, {"hold", "-"}, items[1] + "\n" + items[3] + "\n");
    f.expect_record(f.operator_user, "hold", "failed");
    CHECK(mixed.exit_code == 1);
    CHECK_THAT(mixed.out, Catch::Contains(items[1] + "  refused: hold applies to staged"));
    CHECK_THAT(mixed.err, Catch::Contains("held 1, refused 1"));

    // ALL: every staged item (0, 4 and 5 are left).
    const auto all = f.ctl(f.operator_user, {"hold", "ALL"});
    f.expect_record(f.operator_user, "hold", "ok");
    CHECK(all.exit_code == 0);
    CHECK_THAT(all.out, Catch::Contains("held 3, refused 0"));
    const auto none_left = f.ctl(f.operator_user, {"--json", "hold", "ALL"});
    f.expect_record(f.operator_user, "hold", "ok");
    CHECK(none_left.exit_code == 0);
    CHECK(none_left.out == "{\"refused\":0,\"more\":false}\n");

    const auto listed = f.ctl(f.operator_user, {"--json", "list", "--state", "held"});
    f.expect_record(f.operator_user, "list", "ok");
    CHECK(listed.exit_code == 0);
    for (const auto& id : items)
        CHECK_THAT(listed.out, Catch::Contains("\"id\":\"" + id + "\""));

    // reject ALL takes held items too.
    const auto rejected = f.ctl(f.operator_user, {"--json", "reject", "ALL", "--reason", kReason});
    f.expect_record(f.operator_user, "reject", "ok");
    CHECK(rejected.exit_code == 0);
    CHECK_THAT(rejected.out, Catch::Contains("{\"rejected\":6,\"refused\":0,\"more\":false}"));

    // ALL stands alone, and approve never takes it.
    const auto mixed_all = f.ctl(f.operator_user, {"hold", "ALL", items[0]});
    CHECK(mixed_all.exit_code == 2);
    const auto approve_all = f.ctl(f.approver1, {"approve", "ALL"});
    f.expect_record(f.approver1, "approve", "failed");
    CHECK(approve_all.exit_code == 2);

    const auto rows = check_every_attempt_audited(f);
    for (std::size_t i = 0; i < items.size(); ++i) {
        INFO("item " << i);
        CHECK(has_record(rows, "hold", items[i], f.operator_user.uid));
        CHECK(has_record(rows, "reject", items[i], f.operator_user.uid));
    }
    // The refused reasons reached neither the audit log nor the daemon's log.
    const auto exported = f.ctl(f.auditor, {"audit", "export"});
    CHECK_THAT(exported.out, !Catch::Contains("123456789012"));
    CHECK_THAT(exported.out, !Catch::Contains("１２３４"));
    CHECK_THAT(f.daemon_log(), !Catch::Contains("123456789012"));
    CHECK(f.stop_daemon() == 0);
}

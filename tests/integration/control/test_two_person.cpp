// The two-person rule (release.require_approval) with real, different uids: a release
// waits until a different approver approves it in time; nobody approves his own request,
// whatever roles he holds; an expired request cannot be approved but can be made again.

#include <catch2/catch.hpp>
#include <thread>

#include "tests/integration/control/control_fixture.hpp"

using namespace sekisho::test;
using namespace std::chrono_literals;

namespace {

// `--json show ID` as the auditor: the item with its release record.
boost::json::object show(ControlFixture& f, const std::string& id) {
    const auto r = f.ctl(f.auditor, {"--json", "show", id});
    f.expect_record(f.auditor, "show", r.exit_code == 0 ? "ok" : "failed");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out.substr(0, r.out.find('\n')), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(v.is_object());
    return v.get_object();
}

std::string text(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

std::string release_field(const boost::json::object& item, const char* key) {
    const auto* rel = item.if_contains("release");
    return rel != nullptr && rel->is_object() ? text(rel->get_object(), key) : "";
}

std::string label(const Account& a) {
    return "uid " + std::to_string(a.uid) + " (" + a.name + ")";
}

int count_records(const std::vector<AuditRow>& rows, const std::string& action,
                  const std::string& item, std::optional<std::int64_t> uid) {
    int n = 0;
    for (const auto& r : rows)
        n += r.action == action && r.item_id == item && r.actor_uid == uid;
    return n;
}

}  // namespace

TEST_CASE("a release waits for a different approver, in time", "[control][two-person]") {
    ControlFixture f({.require_approval = true,
                      .approval_timeout = "3s",
                      .approver1_is_operator = true,
                      .items = 3});
    const std::string a = f.items()[0];
    const std::string b = f.items()[1];
    const std::string c = f.items()[2];
    const auto op = [&](const Account& who, const std::vector<std::string>& args,
                        const std::string& command, const std::string& result) {
        const auto r = f.ctl(who, args);
        f.expect_record(who, command, result);
        UNSCOPED_INFO(who.name << " " << command << ": exit " << r.exit_code
                               << "\nstdout: " << r.out << "\nstderr: " << r.err);
        return r;
    };

    // The operator asks; the item stays staged, its release pending.
    const auto asked = op(f.operator_user, {"release", a}, "release", "ok");
    CHECK(asked.exit_code == 0);
    CHECK_THAT(asked.out, Catch::Contains(a + "  awaiting approval (until "));
    auto item_a = show(f, a);
    CHECK(text(item_a, "state") == "staged");
    CHECK(release_field(item_a, "state") == "pending");
    CHECK(release_field(item_a, "requested_by") == f.operator_user.name);
    const auto listed = op(f.approver2, {"--json", "list", "--state", "staged"}, "list", "ok");
    CHECK(listed.exit_code == 0);
    CHECK_THAT(listed.out, Catch::Contains("\"id\":\"" + a + "\""));
    CHECK_THAT(listed.out, Catch::Contains("\"state\":\"pending\""));

    // The operator is no approver.
    const auto by_operator = op(f.operator_user, {"approve", a}, "approve", "refused");
    CHECK(by_operator.exit_code == 1);
    CHECK_THAT(by_operator.err, Catch::Contains("`approve` needs the approver role; " +
                                                label(f.operator_user) + " holds: operator"));

    // Operator and approver in one person: may ask, may not approve his own request.
    const auto asked_b = op(f.approver1, {"release", b}, "release", "ok");
    CHECK(asked_b.exit_code == 0);
    CHECK_THAT(asked_b.out, Catch::Contains(b + "  awaiting approval"));
    const auto own = op(f.approver1, {"approve", b}, "approve", "failed");
    CHECK(own.exit_code == 1);
    CHECK_THAT(own.out + own.err,
               Catch::Contains("a different approver must approve it (two-person rule)"));
    CHECK(text(show(f, b), "state") == "staged");

    // A second person approves: released, both names on the record.
    const auto approved_b = op(f.approver2, {"approve", b}, "approve", "ok");
    CHECK(approved_b.exit_code == 0);
    CHECK_THAT(approved_b.out, Catch::Contains(b + "  released"));
    const auto item_b = show(f, b);
    CHECK(text(item_b, "state") == "released");
    CHECK(release_field(item_b, "state") == "released");
    CHECK(release_field(item_b, "requested_by") == f.approver1.name);
    CHECK(release_field(item_b, "approved_by") == f.approver2.name);

    const auto approved_a = op(f.approver2, {"approve", a}, "approve", "ok");
    CHECK(approved_a.exit_code == 0);
    item_a = show(f, a);
    CHECK(text(item_a, "state") == "released");
    CHECK(release_field(item_a, "requested_by") == f.operator_user.name);
    CHECK(release_field(item_a, "approved_by") == f.approver2.name);
    // Approved once: a second approval finds nothing waiting.
    const auto again = op(f.approver1, {"approve", a}, "approve", "failed");
    CHECK(again.exit_code == 1);

    // C's request runs out before anyone approves it.
    const auto asked_c = op(f.operator_user, {"release", c}, "release", "ok");
    CHECK(asked_c.exit_code == 0);
    std::this_thread::sleep_for(4s);
    const auto late = op(f.approver2, {"approve", c}, "approve", "failed");
    CHECK(late.exit_code == 1);
    // Expired on the approval, or by the daemon's sweep just before it.
    const bool refused_as_expired =
        late.out.find("had expired") != std::string::npos ||
        late.out.find("no release of " + c + " is waiting for approval") != std::string::npos;
    CHECK(refused_as_expired);
    const auto item_c = show(f, c);
    CHECK(text(item_c, "state") == "staged");
    CHECK(release_field(item_c, "state") == "expired");

    // Asked again, approved in time.
    const auto asked_again = op(f.operator_user, {"release", c}, "release", "ok");
    CHECK(asked_again.exit_code == 0);
    CHECK_THAT(asked_again.out, Catch::Contains(c + "  awaiting approval"));
    const auto approved_c = op(f.approver1, {"approve", c}, "approve", "ok");
    CHECK(approved_c.exit_code == 0);
    const auto released_c = show(f, c);
    CHECK(text(released_c, "state") == "released");
    CHECK(release_field(released_c, "requested_by") == f.operator_user.name);
    CHECK(release_field(released_c, "approved_by") == f.approver1.name);

    // The audit log: who asked, who approved, and every request with its result.
    const auto verify = op(f.auditor, {"audit", "verify"}, "audit-verify", "ok");
    CHECK(verify.exit_code == 0);
    CHECK_THAT(verify.out, Catch::Contains("audit log intact"));
    const auto exported = f.ctl(f.auditor, {"--json", "audit", "export"});
    REQUIRE(exported.exit_code == 0);
    const auto rows = parse_audit(exported.out);
    const std::int64_t operator_uid = f.operator_user.uid;
    const std::int64_t approver1_uid = f.approver1.uid;
    const std::int64_t approver2_uid = f.approver2.uid;
    CHECK(count_records(rows, "release requested", a, operator_uid) == 1);
    CHECK(count_records(rows, "release requested", b, approver1_uid) == 1);
    CHECK(count_records(rows, "release requested", c, operator_uid) == 2);
    CHECK(count_records(rows, "release approved", a, approver2_uid) == 1);
    CHECK(count_records(rows, "release approved", b, approver2_uid) == 1);
    CHECK(count_records(rows, "release approved", c, approver1_uid) == 1);
    CHECK(count_records(rows, "release approved", b, approver1_uid) == 0);
    CHECK(count_records(rows, "release request expired", c, std::nullopt) == 1);
    // The self-approval attempt is in the record with the item and the reason.
    CHECK(count_records(rows, "approve refused", b, approver1_uid) == 1);
    // Nothing was released without an approval.
    for (const auto& id : {a, b, c})
        CHECK(count_records(rows, "release", id, operator_uid) == 0);

    const auto got = ControlFixture::control_records(rows);
    for (const auto& [key, n] : f.expected()) {
        const auto& [uid, command, result] = key;
        INFO("uid " << uid << " command " << command << " result " << result);
        const auto found = got.find(key);
        CHECK((found == got.end() ? 0 : found->second) == n);
    }
    for (const auto& [key, n] : got) {
        const auto& [uid, command, result] = key;
        INFO("recorded, not made by the test: uid " << uid << " command " << command << " result "
                                                    << result);
        const auto wanted = f.expected().find(key);
        CHECK((wanted == f.expected().end() ? 0 : wanted->second) == n);
    }
    CHECK(f.stop_daemon() == 0);
}

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

// A queue with a few audited actions, then closed so the test can tamper with it.
struct Tamper {
    test::QueueFixture f;
    std::int64_t records = 0;

    Tamper() {
        for (int i = 0; i < 5; ++i) {
            const auto id = f.enqueue("A" + std::to_string(i), "p" + std::to_string(i)).id;
            f.q->transition(id, {State::inspecting});
        }
        records = f.q->audit_records();
        REQUIRE(records == 10);
        REQUIRE(f.q->verify_audit().ok());
        f.q.reset();
    }

    // Runs SQL as someone with write access to the index who removed the triggers.
    void sql(const std::string& statement) {
        Db db(f.db());
        db.exec("DROP TRIGGER IF EXISTS audit_no_update");
        db.exec("DROP TRIGGER IF EXISTS audit_no_delete");
        db.exec(statement);
    }

    AuditVerification verify() { return f.open().verify_audit(); }
};

bool reports(const AuditVerification& v, std::int64_t seq, const std::string& text) {
    for (const auto& p : v.problems) {
        if (p.seq == seq && p.what.find(text) != std::string::npos)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("an untouched audit log verifies and names its head", "[queue][audit]") {
    Tamper t;
    const auto v = t.verify();
    CHECK(v.ok());
    CHECK(v.records == 10);
    CHECK(v.last_seq == 10);
    CHECK(v.head_hash.size() == 64);
}

TEST_CASE("the audit log refuses updates and deletes through the index", "[queue][audit]") {
    Tamper t;
    Db db(t.f.db());
    CHECK_THROWS_WITH(db.exec("UPDATE audit SET actor = 'x' WHERE seq = 1"),
                      Catch::Contains("append-only"));
    CHECK_THROWS_WITH(db.exec("DELETE FROM audit WHERE seq = 1"), Catch::Contains("append-only"));
}

TEST_CASE("a modified record is detected and named", "[queue][audit]") {
    Tamper t;
    t.sql("UPDATE audit SET actor = 'someone else' WHERE seq = 4");
    const auto v = t.verify();
    CHECK_FALSE(v.ok());
    CHECK(reports(v, 4, "modified"));
}

TEST_CASE("a modified record with a recomputed hash fails its seal", "[queue][audit]") {
    Tamper t;
    // Without the audit key the forger can fix the hash but not the HMAC.
    t.sql("UPDATE audit SET details = '{}' WHERE seq = 3");
    {
        Db db(t.f.db());
        auto s = db.prepare(std::string("SELECT ") + kAuditColumns + " FROM audit WHERE seq = 3");
        REQUIRE(s.step());
        const AuditRecord r = read_audit_record(s);
        auto u = db.prepare("UPDATE audit SET hash = ?1 WHERE seq = 3");
        u.bind(1, audit_hash(r)).run();
    }
    const auto v = t.verify();
    CHECK(reports(v, 3, "seal (HMAC) does not verify"));
    CHECK(reports(v, 4, "does not follow"));
}

TEST_CASE("a deleted record is detected", "[queue][audit]") {
    Tamper t;
    t.sql("DELETE FROM audit WHERE seq = 6");
    const auto v = t.verify();
    CHECK(reports(v, 7, "records 6..6 are missing"));
    CHECK(reports(v, 7, "does not follow"));
}

TEST_CASE("an inserted record is detected", "[queue][audit]") {
    Tamper t;
    // Make room after record 5 and copy record 2 into it.
    t.sql("UPDATE audit SET seq = seq + 100 WHERE seq > 5");
    t.sql(
        "INSERT INTO audit SELECT 6, at, actor_uid, actor, action, item_id, item_sha256, details, "
        "key_id, prev_hash, hash, mac FROM audit WHERE seq = 2");
    const auto v = t.verify();
    CHECK_FALSE(v.ok());
    CHECK(reports(v, 6, "does not follow"));
    CHECK(reports(v, 6, "modified"));
}

TEST_CASE("reordered records are detected", "[queue][audit]") {
    Tamper t;
    t.sql("UPDATE audit SET seq = -1 WHERE seq = 3");
    t.sql("UPDATE audit SET seq = 3 WHERE seq = 4");
    t.sql("UPDATE audit SET seq = 4 WHERE seq = -1");
    const auto v = t.verify();
    CHECK(reports(v, 3, "does not follow"));
    CHECK(reports(v, 4, "modified"));
}

TEST_CASE("audit export writes JSON Lines within the time range", "[queue][audit]") {
    test::QueueFixture f;
    f.enqueue("A1", "x");
    std::ostringstream all;
    CHECK(f.q->export_audit(all, std::nullopt, std::nullopt) == 1);
    CHECK_THAT(all.str(), Catch::StartsWith(R"({"seq":1,"at":")") && Catch::EndsWith("}\n"));
    CHECK_THAT(all.str(), Catch::Contains(R"("action":"enqueued")") &&
                              Catch::Contains(R"("actor":"sekishod")") &&
                              Catch::Contains(R"("external_id":"A1")"));
    std::ostringstream none;
    CHECK(f.q->export_audit(none, 0, 1) == 0);
    CHECK(none.str().empty());
}

TEST_CASE("audit details are redacted", "[queue][audit]") {
    test::QueueFixture f;
    f.q->record(
        {1000, "tanaka"},
        {"note", std::nullopt, std::nullopt, {{"text", "番号 123456789018 を確認"}, {"count", 3}}});
    std::ostringstream out;
    f.q->export_audit(out, std::nullopt, std::nullopt);
    CHECK(out.str().find("123456789018") == std::string::npos);
    CHECK(out.str().find("番号") == std::string::npos);
    CHECK_THAT(out.str(),
               Catch::Contains(R"("actor_uid":1000)") && Catch::Contains(R"("count":3)"));
}

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;
using namespace std::chrono_literals;

namespace {

const Actor kOperator{1001, "tanaka"};
const Actor kApprover{1002, "sato"};

}  // namespace

TEST_CASE("a direct release records who released the item", "[queue][release]") {
    test::QueueFixture f;
    const auto id = f.staged("A1");
    f.q->release(id, kOperator);
    CHECK(f.q->find(id)->state == State::released);
    const auto r = *f.q->release_record(id);
    CHECK(r.state == "released");
    CHECK(r.requested_by == "tanaka");
    CHECK(r.requested_uid == 1001);
    CHECK_FALSE(r.approved_uid);
    CHECK_THROWS_AS(f.q->release(id, kOperator), IllegalTransition);
}

TEST_CASE("an item without a clean verdict cannot be released or requested", "[queue][release]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "bytes").id;
    f.q->transition(id, {State::inspecting});
    f.q->transition(id, {.to = State::held, .action = "hold"});
    CHECK_THROWS_AS(f.q->release(id, kOperator), IllegalTransition);
    CHECK_THROWS_AS(f.q->request_release(id, kOperator, 1h), IllegalTransition);
    CHECK(f.q->find(id)->state == State::held);
    CHECK_FALSE(f.q->release_record(id));
}

TEST_CASE("a release request is approved by a different person only", "[queue][release]") {
    test::QueueFixture f;
    const auto id = f.staged("A1");
    const auto req = f.q->request_release(id, kOperator, 1h);
    CHECK(req.state == "pending");
    CHECK(f.q->find(id)->state == State::staged);
    CHECK(f.q->pending_releases().size() == 1);
    // A second request while one waits is refused.
    CHECK_THROWS_AS(f.q->request_release(id, kApprover, 1h), IllegalTransition);
    // Same uid under another name is still the same person.
    CHECK(f.q->approve_release(id, {1001, "tanaka-approver"}) == ApprovalOutcome::own_request);
    CHECK(f.q->find(id)->state == State::staged);
    CHECK(f.q->approve_release(id, kApprover) == ApprovalOutcome::released);
    CHECK(f.q->find(id)->state == State::released);
    const auto r = *f.q->release_record(id);
    CHECK(r.requested_by == "tanaka");
    CHECK(r.approved_by == "sato");
    CHECK(r.approved_uid == 1002);
    CHECK(f.q->pending_releases().empty());
    CHECK(f.q->approve_release(id, kApprover) == ApprovalOutcome::none_pending);
    const auto audit = f.audit_text();
    CHECK_THAT(audit, Catch::Contains(R"("action":"release requested")") &&
                          Catch::Contains(R"("action":"release approved")"));
    CHECK(f.q->verify_audit().ok());
}

TEST_CASE("release requests expire", "[queue][release]") {
    test::QueueFixture f;
    const auto a = f.staged("A1");
    const auto b = f.staged("A2");
    f.q->request_release(a, kOperator, 0ms);
    f.q->request_release(b, kOperator, 1h);
    // Approving an expired request records the expiry and releases nothing.
    CHECK(f.q->approve_release(a, kApprover) == ApprovalOutcome::expired);
    CHECK(f.q->find(a)->state == State::staged);
    CHECK(f.q->release_record(a)->state == "expired");
    CHECK(f.q->expire_release_requests(std::chrono::system_clock::now()) == 0);
    CHECK(f.q->expire_release_requests(std::chrono::system_clock::now() + 2h) == 1);
    CHECK(f.q->release_record(b)->state == "expired");
    CHECK(f.q->approve_release(b, kApprover) == ApprovalOutcome::none_pending);
    // An expired request can be made again.
    CHECK(f.q->request_release(b, kOperator, 1h).state == "pending");
    CHECK_THAT(f.audit_text(), Catch::Contains(R"("action":"release request expired")"));
}

TEST_CASE("a hold, reject or requeue cancels a waiting release request", "[queue][release]") {
    test::QueueFixture f;
    const auto id = f.staged("A1");
    f.q->request_release(id, kOperator, 1h);
    f.q->transition(id, {.to = State::held, .action = "hold"}, kOperator);
    CHECK(f.q->release_record(id)->state == "cancelled");
    CHECK(f.q->approve_release(id, kApprover) == ApprovalOutcome::none_pending);
    // A held item with a clean verdict may be requested again, and approved.
    f.q->request_release(id, kOperator, 1h);
    CHECK(f.q->approve_release(id, kApprover) == ApprovalOutcome::released);
}

TEST_CASE("a queue of schema version 1 gains the release table on open", "[queue][release]") {
    test::QueueFixture f;
    const auto id = f.staged("A1");
    f.q.reset();
    {
        Db db(f.db());
        // What version 1 had: no releases (v2), no requests and no flags (v3).
        db.exec(
            "DROP TABLE releases; DROP TABLE requests; ALTER TABLE items DROP COLUMN flags;"
            " PRAGMA user_version = 1");
    }
    f.open();
    f.q->release(id, kOperator);
    CHECK(f.q->release_record(id)->requested_by == "tanaka");
}

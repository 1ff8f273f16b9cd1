#include <catch2/catch.hpp>
#include <sstream>

#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;
using namespace std::chrono_literals;

namespace {

const Actor kOperator{1001, "tanaka"};
const auto kNow = std::chrono::system_clock::now();

ItemId released_request(test::QueueFixture& f, const std::string& client_request_id,
                        const std::string& kind = "HONNIN-REQ") {
    const auto id =
        f.enqueue(client_request_id, "H,request " + client_request_id, "", kind, "operator").id;
    f.q->transition(id, {State::inspecting});
    f.q->transition(id, {.to = State::scanning, .verdict = "accept"});
    f.q->transition(id, {.to = State::staged, .scanned_clean = true});
    f.q->release(id, kOperator);
    return id;
}

}  // namespace

TEST_CASE("an uploaded request is sent and followed until done", "[queue][requests]") {
    test::QueueFixture f;
    const auto id = released_request(f, "C1");
    CHECK_FALSE(f.q->outbound_request(id));
    f.q->record_upload(id, "Q7", Actor::daemon());
    CHECK(f.q->find(id)->state == State::sent);
    auto r = *f.q->outbound_request(id);
    CHECK(r.client_request_id == "C1");
    CHECK(r.kind == "HONNIN-REQ");
    CHECK(r.request_id == "Q7");
    CHECK(r.status == "accepted");
    CHECK(r.open());
    CHECK_FALSE(r.checked_ms);

    REQUIRE(f.q->open_requests(kNow + 1s, 10).size() == 1);
    f.q->record_request_state(id, "processing", "", kNow + 1h);
    CHECK(f.q->open_requests(kNow + 1s, 10).empty());  // not due before its next check
    CHECK(f.q->open_requests(kNow + 2h, 10).size() == 1);
    f.q->record_request_state(id, "done", "R-1", kNow + 1h);
    r = *f.q->outbound_request(id);
    CHECK(r.status == "done");
    CHECK(r.result_id == "R-1");
    CHECK(r.checks == 2);
    CHECK_FALSE(r.open());
    CHECK(f.q->open_requests(kNow + 2h, 10).empty());
    const auto audit = f.audit_text();
    CHECK(audit.find("uploaded to the chukan server") != std::string::npos);
    CHECK(audit.find("\"status\":\"processing\"") != std::string::npos);
    CHECK(audit.find("\"result_id\":\"R-1\"") != std::string::npos);
}

TEST_CASE("only a released item can be recorded as uploaded", "[queue][requests]") {
    test::QueueFixture f;
    const auto id = f.enqueue("C1", "bytes", "", "HONNIN-REQ", "operator").id;
    CHECK_THROWS_AS(f.q->record_upload(id, "Q1", Actor::daemon()), IllegalTransition);
    CHECK_FALSE(f.q->outbound_request(id));
    CHECK_THROWS_AS(f.q->record_request_state(id, "done", "R", kNow), NotFound);
}

TEST_CASE("a result is linked to its request whichever arrives first", "[queue][requests]") {
    test::QueueFixture f;
    SECTION("status done first, result file later") {
        const auto req = released_request(f, "C1");
        f.q->record_upload(req, "Q1", Actor::daemon());
        f.q->record_request_state(req, "done", "R-1", kNow);
        CHECK_FALSE(f.q->outbound_request(req)->result_item);
        const auto result = f.enqueue("R-1", "result bytes", "", "HONNIN-RES", "chukan").id;
        CHECK(f.q->link_result("R-1", result) == req);
        CHECK(f.q->outbound_request(req)->result_item == result);
        CHECK(f.q->request_answered_by(result)->item == req);
    }
    SECTION("result file first, status done later") {
        const auto req = released_request(f, "C1");
        f.q->record_upload(req, "Q1", Actor::daemon());
        const auto result = f.enqueue("R-1", "result bytes", "", "HONNIN-RES", "chukan").id;
        CHECK_FALSE(f.q->link_result("R-1", result));  // no request names it yet
        f.q->record_request_state(req, "done", "R-1", kNow);
        CHECK(f.q->outbound_request(req)->result_item == result);
        CHECK(f.q->request_answered_by(result)->request_id == "Q1");
    }
    CHECK(f.audit_text().find("result linked") != std::string::npos);
    CHECK(f.q->verify_audit().ok());
}

TEST_CASE("a result nobody asked for is linked to nothing", "[queue][requests]") {
    test::QueueFixture f;
    const auto result = f.enqueue("R-9", "result bytes", "", "SHIKAKU-REG-RES", "chukan").id;
    CHECK_FALSE(f.q->link_result("R-9", result));
    CHECK_FALSE(f.q->request_answered_by(result));
}

TEST_CASE("flags are kept with the accepted verdict and cleared by a new inspection",
          "[queue][flags]") {
    test::QueueFixture f;
    const auto id = f.enqueue("R-1", "bytes", "", "HONNIN-RES", "chukan").id;
    CHECK(f.q->find(id)->flags.empty());
    f.q->transition(id, {State::inspecting});
    f.q->transition(id, {.to = State::scanning,
                         .verdict = "accept",
                         .flags = std::vector<std::string>{"honnin-multiple-matches:2"}});
    CHECK(f.q->find(id)->flags == std::vector<std::string>{"honnin-multiple-matches:2"});
    f.q->transition(id, {.to = State::staged, .scanned_clean = true});
    CHECK(f.q->find(id)->flags.size() == 1);  // a change without flags keeps them
    f.q->transition(id, {State::inspecting});
    CHECK(f.q->find(id)->flags.empty());
    CHECK_THROWS_AS(f.q->transition(id, {.to = State::scanning,
                                         .verdict = "accept",
                                         .flags = std::vector<std::string>{"two words"}}),
                    std::invalid_argument);
    CHECK(f.q->find(id)->state == State::inspecting);
}

TEST_CASE("requests and flags survive reopening the queue", "[queue][requests]") {
    test::QueueFixture f;
    const auto id = released_request(f, "C1");
    f.q->record_upload(id, "Q1", Actor::daemon());
    f.open();
    CHECK(f.q->outbound_request(id)->request_id == "Q1");
    CHECK(f.q->open_requests(kNow + 1s, 10).size() == 1);
}

TEST_CASE("a queue of schema version 2 gains requests and flags on open", "[queue][requests]") {
    test::QueueFixture f;
    const auto id = released_request(f, "C1");
    f.q.reset();
    {
        Db db(f.db());
        db.exec(
            "DROP TABLE requests; ALTER TABLE items DROP COLUMN flags; PRAGMA user_version = 2");
    }
    f.open();
    CHECK(f.q->find(id)->flags.empty());
    f.q->record_upload(id, "Q1", Actor::daemon());
    CHECK(f.q->outbound_request(id)->request_id == "Q1");
}

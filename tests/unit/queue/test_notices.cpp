#include <catch2/catch.hpp>
#include <sstream>

#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;
using namespace std::chrono_literals;

namespace {

const auto now = [] { return std::chrono::system_clock::now(); };

Change reject_with_notice(const std::string& code) {
    Change c{State::rejected, "state", "reject"};
    c.notice = NoticeRequest{"returned", code, "署名を確認できませんでした"};
    return c;
}

}  // namespace

TEST_CASE("notices wait until the source was told the item is stored", "[queue][notices]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "x").id;
    f.q->transition(id, {State::inspecting});
    f.q->transition(id, reject_with_notice("E-SIG-INVALID"));
    CHECK(f.q->due_notices("mynaportal", now(), 10).empty());
    CHECK(f.q->unconfirmed("mynaportal").size() == 1);
    f.q->confirm_to_source(id, NoticeRequest{"received", "", ""});
    CHECK(f.q->unconfirmed("mynaportal").empty());
    // received was made after returned, but returned is older: the source hears them in
    // the order they were made.
    auto due = f.q->due_notices("mynaportal", now(), 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].request.kind == "returned");
    CHECK(due[0].request.reason_code == "E-SIG-INVALID");
    CHECK(due[0].external_id == "A1");
    f.q->notice_delivered(due[0].id, "n-1");
    due = f.q->due_notices("mynaportal", now(), 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].request.kind == "received");
    f.q->notice_delivered(due[0].id, "n-2");
    CHECK(f.q->due_notices("mynaportal", now(), 10).empty());
    CHECK(f.q->pending_notices() == 0);
    std::ostringstream audit;
    f.q->export_audit(audit, std::nullopt, std::nullopt);
    CHECK_THAT(audit.str(), Catch::Contains(R"("action":"notice sent")") &&
                                Catch::Contains(R"("notice_id":"n-1")"));
}

TEST_CASE("a notice of the same kind is made once per item", "[queue][notices]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "x").id;
    f.q->confirm_to_source(id, NoticeRequest{"received", "", ""});
    f.q->confirm_to_source(id, NoticeRequest{"received", "", ""});
    CHECK(f.q->pending_notices() == 1);
}

TEST_CASE("retries wait for their time, and closed notices are not retried", "[queue][notices]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "x").id;
    f.q->confirm_to_source(id, NoticeRequest{"received", "", ""});
    auto due = f.q->due_notices("mynaportal", now(), 10);
    REQUIRE(due.size() == 1);
    f.q->notice_retry(due[0].id, now() + 1h);
    CHECK(f.q->due_notices("mynaportal", now(), 10).empty());
    due = f.q->due_notices("mynaportal", now() + 2h, 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].attempts == 1);
    f.q->notice_closed(due[0].id, "409 notice-conflict");
    CHECK(f.q->due_notices("mynaportal", now() + 3h, 10).empty());
    CHECK(f.q->pending_notices() == 0);
}

TEST_CASE("pending notices survive a restart", "[queue][notices]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "x").id;
    f.q->confirm_to_source(id, NoticeRequest{"received", "", ""});
    f.open();
    CHECK(f.q->due_notices("mynaportal", now(), 10).size() == 1);
    CHECK(f.q->find(id)->source_confirmed);
}

TEST_CASE("a notice that would carry a 個人番号 is refused with its change", "[queue][notices]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "x").id;
    f.q->transition(id, {State::inspecting});
    Change c = reject_with_notice("E-MYNUMBER-NOT-ALLOWED");
    c.notice->message = "番号 123456789018 は記載できません";
    CHECK_THROWS_AS(f.q->transition(id, c), std::invalid_argument);
    CHECK(f.q->find(id)->state == State::inspecting);
    CHECK(f.q->pending_notices() == 0);
    c.notice->message = std::string(401, 'x');
    CHECK_THROWS_AS(f.q->transition(id, c), std::invalid_argument);
}

TEST_CASE("notices are kept per source", "[queue][notices]") {
    test::QueueFixture f;
    const auto id = f.enqueue("R1", "x", "", "SHOKAI-RES", "chukan").id;
    f.q->confirm_to_source(id, NoticeRequest{"ack", "", ""});
    CHECK(f.q->due_notices("mynaportal", now(), 10).empty());
    CHECK(f.q->due_notices("chukan", now(), 10).size() == 1);
}

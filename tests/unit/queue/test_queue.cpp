#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;
using namespace std::chrono_literals;

namespace {

std::size_t files_in(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
        ++n;
    return n;
}

const auto kLater = [] { return std::chrono::system_clock::now() + 1s; };

}  // namespace

TEST_CASE("an enqueued item keeps its bytes, digest and sealed personal data", "[queue]") {
    test::QueueFixture f;
    const std::string payload(700'000, 'p');
    const auto r = f.enqueue("202611240000123", payload, R"({"office":"テスト商事"})");
    REQUIRE(r.outcome == EnqueueOutcome::added);
    const auto info = *f.q->find(r.id);
    CHECK(info.state == State::fetched);
    CHECK(info.size == payload.size());
    CHECK(info.sha256 == sha256(as_bytes(payload)));
    CHECK(info.source == "mynaportal");
    CHECK(info.external_id == "202611240000123");
    CHECK(f.payload(r.id) == payload);
    CHECK(f.q->read_personal(r.id).view() == R"({"office":"テスト商事"})");
    CHECK(f.q->find_external("mynaportal", "202611240000123")->id == r.id);
}

TEST_CASE("an external id already taken in adds nothing", "[queue][duplicate]") {
    test::QueueFixture f;
    const std::string big(kInlineMaxClear + 1, 'b');
    const auto first = f.enqueue("A1", big);
    const auto again = f.enqueue("A1", big + ", downloaded again");
    CHECK(again.outcome == EnqueueOutcome::known_external_id);
    CHECK(again.id == first.id);
    CHECK(f.q->counts()[State::fetched] == 1);
    CHECK(files_in(f.dir.path() / "state" / "payloads") == 1);
    // The same external id from another source is another item.
    CHECK(f.enqueue("A1", "other", "", "SHIKAKU-REG-RES", "chukan").outcome ==
          EnqueueOutcome::added);
}

TEST_CASE("the same bytes under a new external id become a duplicate item", "[queue][duplicate]") {
    test::QueueFixture f;
    const auto first = f.enqueue("A1", "same bytes");
    const auto second = f.enqueue("A2", "same bytes");
    CHECK(second.outcome == EnqueueOutcome::duplicate_digest);
    CHECK(second.duplicate_of == first.id);
    const auto info = *f.q->find(second.id);
    CHECK(info.state == State::duplicate);
    CHECK_THAT(info.reasons_json, Catch::Contains("E-DUPLICATE"));
}

TEST_CASE("concurrent commits are grouped and each is durable", "[queue][commit]") {
    test::QueueFixture f;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i)
                f.enqueue("t" + std::to_string(t) + "-" + std::to_string(i),
                          "payload " + std::to_string(t * 100 + i));
        });
    }
    for (auto& th : threads)
        th.join();
    CHECK(f.q->counts()[State::fetched] == 200);
    f.open();  // a fresh process would see all of them
    CHECK(f.q->counts()[State::fetched] == 200);
    CHECK(f.q->verify_payloads() == 0);
    CHECK(f.q->verify_audit().ok());
}

TEST_CASE("an uncommitted writer leaves nothing behind", "[queue][commit]") {
    test::QueueFixture f;
    {
        auto w = f.q->begin({"mynaportal", "X", "filing", {}, 0});
        w.write(as_bytes(std::string(2 * kInlineMaxClear + 5, 'h')));  // spilled to a file
        CHECK(files_in(f.dir.path() / "state" / "payloads") == 1);
    }
    CHECK(files_in(f.dir.path() / "state" / "payloads") == 0);
    CHECK_FALSE(f.q->find_external("mynaportal", "X"));
}

TEST_CASE("a payload over its limit is refused while it is written", "[queue][commit]") {
    test::QueueFixture f;
    auto w = f.q->begin({"mynaportal", "X", "filing", {}, 10});
    w.write(as_bytes("0123456789"));
    CHECK_THROWS_AS(w.write(as_bytes("!")), std::length_error);
}

TEST_CASE("below the free-space floor new items are refused, old ones kept", "[queue][disk]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "kept").id;
    auto& q = f.open(std::numeric_limits<std::uint64_t>::max() / 2);
    CHECK_FALSE(q.accepting_new_items());
    try {
        q.begin({"mynaportal", "A2", "filing", {}, 0});
        FAIL("expected QueueFull");
    } catch (const QueueFull& e) {
        CHECK_THAT(e.what(), Catch::Contains("below the floor"));
    }
    CHECK(f.payload(id) == "kept");
}

TEST_CASE("recovery removes temporary and unreferenced files", "[queue][recovery]") {
    test::QueueFixture f;
    const auto kept = f.enqueue("A1", std::string(kInlineMaxClear + 1, 'k')).id;
    const auto dir = f.dir.path() / "state" / "payloads";
    test::write_file(dir / (ItemId::generate().str() + ".seal.tmp"), "partial", 0600);
    test::write_file(dir / (ItemId::generate().str() + ".seal"), "renamed, never committed", 0600);
    auto& q = f.open();
    CHECK(q.recovery().temporary_files_removed == 1);
    CHECK(q.recovery().unreferenced_payloads_removed == 1);
    CHECK(files_in(dir) == 1);
    CHECK(f.payload(kept) == std::string(kInlineMaxClear + 1, 'k'));
    CHECK(q.verify_audit().ok());
}

TEST_CASE("small payloads live in the index row, large ones in files", "[queue]") {
    test::QueueFixture f;
    const auto small = f.enqueue("A1", std::string(kInlineMaxClear, 's')).id;
    const auto large = f.enqueue("A2", std::string(kInlineMaxClear + 1, 'l')).id;
    CHECK(f.q->find(small)->stored_inline);
    CHECK_FALSE(std::filesystem::exists(f.q->payload_path(small)));
    CHECK_FALSE(f.q->find(large)->stored_inline);
    CHECK(std::filesystem::file_size(f.q->payload_path(large)) == sealed_size(kInlineMaxClear + 1));
    f.open();
    CHECK(f.payload(small) == std::string(kInlineMaxClear, 's'));
    CHECK(f.payload(large) == std::string(kInlineMaxClear + 1, 'l'));
}

TEST_CASE("a tampered payload in the index is found on read", "[queue][recovery]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", std::string(1000, 'x')).id;
    f.q.reset();
    {
        Db db(f.db());
        // One bit flipped, so the byte always changes whatever it was.
        auto read = db.prepare("SELECT payload FROM items");
        REQUIRE(read.step());
        Bytes payload = read.blob(0);
        payload[100] ^= 0x01;
        db.prepare("UPDATE items SET payload = ?1").bind(1, payload).run();
    }
    f.open();
    CHECK_THROWS_AS(f.payload(id), CorruptPayload);
    CHECK(f.q->find(id)->state == State::corrupt);
}

TEST_CASE("a missing payload makes its item corrupt, audited, never dropped", "[queue][recovery]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", std::string(kInlineMaxClear + 10, 'g')).id;
    std::filesystem::remove(f.q->payload_path(id));
    auto& q = f.open();
    CHECK(q.recovery().missing_or_damaged == 1);
    CHECK(q.find(id)->state == State::corrupt);
    std::ostringstream audit;
    q.export_audit(audit, std::nullopt, std::nullopt);
    CHECK_THAT(audit.str(), Catch::Contains("payload file missing at start-up"));
}

TEST_CASE("a tampered payload is found on read and its item becomes corrupt", "[queue][recovery]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", std::string(kInlineMaxClear * 2, 'x')).id;
    std::string bytes = test::read_file(f.q->payload_path(id));
    bytes[100] = static_cast<char>(bytes[100] ^ 0x40);
    test::write_file(f.q->payload_path(id), bytes, 0600);
    CHECK_THROWS_AS(f.payload(id), CorruptPayload);
    CHECK(f.q->find(id)->state == State::corrupt);
    CHECK(f.q->verify_payloads() == 0);  // already corrupt: not checked again
}

TEST_CASE("the wrong queue key does not open the queue", "[queue][keys]") {
    test::QueueFixture f;
    f.enqueue("A1", "x");
    f.q.reset();
    f.queue_key = test::random_key();
    CHECK_THROWS_WITH(f.open(), Catch::Contains("does not open this queue's keys"));
}

TEST_CASE("key rotation re-wraps every data key without touching payloads", "[queue][keys]") {
    test::QueueFixture f;
    std::vector<ItemId> ids;
    for (int i = 0; i < 20; ++i)
        ids.push_back(f.enqueue("A" + std::to_string(i), "p" + std::to_string(i)).id);
    const auto before = test::read_file(f.q->payload_path(ids[0]));
    const auto rotation = f.q->rotate_keys({1000, "admin"});
    CHECK(rotation.rewrapped == 20);
    CHECK(rotation.queue_key_id == 2);
    CHECK(test::read_file(f.q->payload_path(ids[0])) == before);
    f.open();
    for (int i = 0; i < 20; ++i)
        CHECK(f.payload(ids[i]) == "p" + std::to_string(i));
    CHECK(f.q->verify_audit().ok());
    // New items after a rotation use the new key too.
    CHECK(f.payload(f.enqueue("B", "after").id) == "after");
}

TEST_CASE("retention destroys the key, then the bytes, then records the deletion",
          "[queue][retention]") {
    test::QueueFixture f;
    const auto sent = f.enqueue("A1", std::string(kInlineMaxClear + 1, 'd')).id;
    for (State s :
         {State::inspecting, State::scanning, State::staged, State::released, State::sent}) {
        Change c{s};
        c.verdict = s == State::scanning ? std::optional<std::string>("accept") : std::nullopt;
        c.scanned_clean = s == State::staged;
        f.q->transition(sent, c);
    }
    const auto fresh = f.enqueue("A2", "fresh").id;
    const RetentionPolicy policy{std::chrono::hours(24), std::chrono::hours(24),
                                 std::chrono::hours(24 * 365)};
    CHECK(f.q->purge_expired(policy, std::chrono::system_clock::now()) == 0);
    CHECK(f.q->purge_expired(policy, std::chrono::system_clock::now() + 25h) == 1);
    CHECK(f.q->find(sent)->state == State::purged);
    CHECK_FALSE(std::filesystem::exists(f.q->payload_path(sent)));
    CHECK_THROWS_AS(f.q->read_personal(sent), NotFound);
    CHECK(f.q->find(fresh)->state == State::fetched);
    std::ostringstream audit;
    f.q->export_audit(audit, std::nullopt, std::nullopt);
    CHECK_THAT(audit.str(), Catch::Contains(R"("action":"deletion")") &&
                                Catch::Contains(R"("retention":"delivered")"));
    // A purged id is never reused and its external id is still known.
    CHECK(f.enqueue("A1", "delivered").outcome == EnqueueOutcome::known_external_id);
    CHECK(files_in(f.dir.path() / "state" / "payloads") == 0);
}

TEST_CASE("本人確認 results are purged after the honnin limit whatever their state",
          "[queue][retention]") {
    test::QueueFixture f;
    const auto honnin = f.enqueue("R1", "result", "", "HONNIN-RES", "chukan").id;
    const auto other = f.enqueue("R2", "result 2", "", "SHOKAI-RES", "chukan").id;
    const RetentionPolicy policy{std::chrono::hours(24 * 7), std::chrono::hours(24 * 30),
                                 std::chrono::hours(24 * 365)};
    CHECK(f.q->purge_expired(policy,
                             std::chrono::system_clock::now() + std::chrono::hours(24 * 366)) == 1);
    CHECK(f.q->find(honnin)->state == State::purged);
    CHECK(f.q->find(other)->state == State::fetched);
}

TEST_CASE("an interrupted purge is completed at start-up", "[queue][retention]") {
    test::QueueFixture f;
    const auto id = f.enqueue("A1", "x").id;
    f.q->transition(id, {State::duplicate});
    f.q.reset();
    {
        // The state after step 1 of a purge: key destroyed, bytes and record not yet.
        queue::Db db(f.db());
        db.exec(
            "UPDATE items SET wrapped_key = NULL, kek_id = NULL, meta_sealed = NULL WHERE id = '" +
            id.str() + "'");
    }
    auto& q = f.open();
    CHECK(q.recovery().purges_completed == 1);
    CHECK(q.find(id)->state == State::purged);
    CHECK_FALSE(std::filesystem::exists(q.payload_path(id)));
}

TEST_CASE("state files are private", "[queue]") {
    test::QueueFixture f;
    f.enqueue("A1", "x");
    for (const auto& e : std::filesystem::recursive_directory_iterator(f.dir.path() / "state")) {
        struct stat st {};
        REQUIRE(::stat(e.path().c_str(), &st) == 0);
        INFO(e.path());
        CHECK((st.st_mode & 0077) == 0);
    }
}

// adapters/chukan's poll cycle against `sekisho-sim chukan` over real mutual TLS, in this
// process: paging, the listing's size and digest checked against the bytes, every fault of
// the simulator recovered from without loss or duplication, acknowledgements only after the
// durable commit, uploads with a stable client_request_id, status until done, the result
// linked, and no connection at all when the path check says no.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/integration/chukan/chukan_daemon_fixture.hpp"

using namespace sekisho;
using namespace std::chrono_literals;
using queue::State;

namespace {

chukan::CycleReport poll(queue::Queue& q, const chukan::PollSettings& s) {
    boost::asio::io_context io;
    auto f = boost::asio::co_spawn(io, chukan::poll_once(q, s), boost::asio::use_future);
    io.run();
    return f.get();
}

// Items of the source, by result id; a result id taken twice fails the test.
std::map<std::string, queue::ItemInfo> results_in(queue::Queue& q) {
    std::map<std::string, queue::ItemInfo> out;
    for (const auto& item : q.list(std::nullopt, std::string(chukan::kSource), 100'000)) {
        CHECK(out.count(item.external_id) == 0);
        out[item.external_id] = item;
    }
    return out;
}

// A request file in the queue, inspected, scanned and released as an operator leaves it.
queue::ItemId released_request(queue::Queue& q, const std::string& bytes,
                               const std::string& client_request_id) {
    auto w = q.begin({std::string(chukan::kSubmitSource), client_request_id, "HONNIN-REQ",
                      config::SecretBytes{}, 0});
    w.write(queue::as_bytes(bytes));
    const auto id = q.commit(std::move(w)).id;
    q.transition(id, {State::inspecting});
    q.transition(id, {.to = State::scanning, .verdict = "accept"});
    q.transition(id, {.to = State::staged, .scanned_clean = true});
    q.release(id, {1001, "tanaka"});
    return id;
}

}  // namespace

TEST_CASE("120 results over 3 pages are each taken once, through every fault", "[chukan][poll]") {
    test::ChukanSim sim;
    const auto ids = sim.add_results(40);
    REQUIRE(ids.size() == 120);
    sim.start({"--truncate-every", "5", "--wrong-digest-every", "7", "--reset-every", "11",
               "--error500-every", "13", "--throttle-every", "17", "--unavailable-every", "19",
               "--retry-after", "0"});
    test::QueueFixture qf;
    int cycles = 0;
    std::int64_t failed = 0;
    while (results_in(*qf.q).size() < ids.size() && cycles < 40) {
        const auto r = poll(*qf.q, sim.settings());
        failed += r.failed;
        ++cycles;
    }
    const auto taken = results_in(*qf.q);
    CHECK(taken.size() == ids.size());
    CHECK(failed > 0);  // the faults did happen
    // Each stored result has the listed bytes: the queue's digest is the simulator's.
    for (const auto& [result_id, item] : taken) {
        CHECK(ids.count(result_id) == 1);
        CHECK(item.size == std::filesystem::file_size(sim.results / (result_id + ".csv")));
        CHECK(item.source_confirmed);
    }
    // One more cycle: nothing listed (all acked), nothing taken again.
    const auto last = poll(*qf.q, sim.settings());
    CHECK(last.ok());
    CHECK(last.listed == 0);
    CHECK(results_in(*qf.q).size() == ids.size());
    // A fault never left a half-written item: every payload reads back and authenticates.
    CHECK(qf.q->verify_payloads() == 0);
}

TEST_CASE("a result is acknowledged only after it is stored", "[chukan][poll]") {
    test::ChukanSim sim;
    const auto ids = sim.add_results(1);
    sim.start({"--truncate-every", "1"});
    test::QueueFixture qf;
    const auto first = poll(*qf.q, sim.settings());
    // Every download's first attempt is cut short: none stored, none acknowledged.
    CHECK(first.failed >= 1);
    for (const auto& r : sim.calls("POST", "/ack")) {
        const std::string result_id(r.at("result_id").as_string());
        CHECK(qf.q->find_external(chukan::kSource, result_id));
    }
    for (int i = 0; i < 10 && results_in(*qf.q).size() < ids.size(); ++i)
        poll(*qf.q, sim.settings());
    CHECK(results_in(*qf.q).size() == ids.size());
}

TEST_CASE("a released request is uploaded once, followed until done, and its result linked",
          "[chukan][poll][submit]") {
    test::ChukanSim sim;
    sim.start({"--processing-polls", "1"});
    test::QueueFixture qf;
    const auto request = sim.dir / "request.csv";
    sim.make_request("HONNIN-REQ", request, 3);
    const auto id = released_request(*qf.q, test::read_file(request), "C-0001");
    const auto r1 = poll(*qf.q, sim.settings());
    INFO(r1.error);
    CHECK(r1.uploaded == 1);
    CHECK(r1.requests_open);
    CHECK(qf.q->find(id)->state == State::sent);
    const auto upload = *qf.q->outbound_request(id);
    CHECK(upload.client_request_id == "C-0001");
    // accepted, processing, done: the result appears and is taken and linked.
    for (int i = 0; i < 6 && !qf.q->outbound_request(id)->result_item; ++i)
        poll(*qf.q, sim.settings());
    const auto done = *qf.q->outbound_request(id);
    CHECK(done.status == "done");
    REQUIRE(done.result_item);
    const auto result = *qf.q->find(*done.result_item);
    CHECK(result.kind == "HONNIN-RES");
    CHECK(result.external_id == done.result_id);
    CHECK(qf.q->request_answered_by(result.id)->item == id);
    CHECK(sim.calls("PUT").size() == 1);
    CHECK(poll(*qf.q, sim.settings()).statuses == 0);  // done: not asked again
}

TEST_CASE("an upload repeated after a crash gets the same request id, other bytes are held",
          "[chukan][poll][submit]") {
    test::ChukanSim sim;
    sim.start();
    test::QueueFixture qf;
    const auto request = sim.dir / "request.csv";
    sim.make_request("HONNIN-REQ", request, 4);
    const std::string bytes = test::read_file(request);
    // The same upload twice, as after a crash between the PUT and its record.
    const auto first = released_request(*qf.q, bytes, "C-0002");
    CHECK(poll(*qf.q, sim.settings()).uploaded == 1);
    test::QueueFixture other;
    const auto again = released_request(*other.q, bytes, "C-0002");
    CHECK(poll(*other.q, sim.settings()).uploaded == 1);
    CHECK(other.q->outbound_request(again)->request_id ==
          qf.q->outbound_request(first)->request_id);
    // The same client_request_id with other bytes is a conflict: held for a person.
    test::QueueFixture third;
    const auto conflict = released_request(*third.q, bytes + "X", "C-0002");
    const auto r = poll(*third.q, sim.settings());
    CHECK(r.upload_refused == 1);
    CHECK(third.q->find(conflict)->state == State::held);
    CHECK_FALSE(third.q->outbound_request(conflict));
}

TEST_CASE("with the path not protected nothing is sent, not even a handshake",
          "[chukan][poll][ipsec]") {
    test::ChukanSim sim;
    sim.add_results(1);
    sim.start();
    test::QueueFixture qf;
    const auto r = poll(*qf.q, sim.settings("interface:ipsec9"));
    CHECK(r.path_refused);
    CHECK(r.error.find("ipsec9") != std::string::npos);
    CHECK(sim.records().empty());
    CHECK(results_in(*qf.q).empty());
    const auto allowed = poll(*qf.q, sim.settings("interface:lo"));
    INFO(allowed.error);
    CHECK(allowed.ok());
    CHECK(allowed.taken == 3);
}

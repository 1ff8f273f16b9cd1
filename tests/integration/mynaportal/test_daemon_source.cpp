// sekishod with the Mynaportal source enabled, killed with SIGKILL in the middle of its
// downloads and restarted: every filing is taken exactly once, and the service is told
// `downloaded` only for filings that were already durably in the queue.

#include <signal.h>

#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "tests/integration/daemon/daemon_fixture.hpp"
#include "tests/integration/mynaportal/sim_fixture.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

namespace {

std::string source_config(const test::SimFixture& sim) {
    const auto d = sim.dir.path();
    return "[mynaportal]\nenabled = true\nbase_url = \"https://127.0.0.1:" +
           std::to_string(sim.port) + "/\"\nca_file = \"" + (d / "server-ca.pem").string() +
           "\"\nclient_cert = \"" + (d / "client.pem").string() + "\"\nclient_key = \"" +
           (d / "client.key").string() + "\"\nuser_id = \"K1234567\"\npassword_credential = \"" +
           (d / "password").string() +
           "\"\npoll_interval = \"1s\"\ntimeout = \"3s\"\n[inspect]\ntrust_anchors = [\"" +
           (d / "server-ca.pem").string() + "\"]\n";
}

std::set<std::string> downloaded_ok(const test::SimFixture& sim) {
    std::set<std::string> out;
    for (const auto& [id, n] : sim.count("/downloaded"))
        out.insert(id);
    return out;
}

}  // namespace

TEST_CASE("a daemon killed during downloads takes each filing exactly once",
          "[mynaportal][daemon]") {
    test::SimFixture sim;
    const auto ids = sim.add_filings(30, 200'000);
    sim.start({"--slow-ms", "40"});
    test::DaemonFixture daemon;
    daemon.write_config(source_config(sim));
    const std::map<std::string, std::string> env{{"NOTIFY_SOCKET", ""},
                                                 {"CREDENTIALS_DIRECTORY", ""}};
    std::mt19937 rng(7);
    auto open_queue = [&] {
        return std::make_unique<queue::Queue>(
            queue::QueueOptions{daemon.state, 0},
            test::key_bytes(test::read_file(daemon.dir / "queue.key")),
            test::key_bytes(test::read_file(daemon.dir / "audit.key")));
    };
    for (int round = 0; round < 6; ++round) {
        INFO("round " << round);
        {
            test::Child d({test::program("sekishod"), "-c", daemon.config.string()}, env,
                          daemon.dir / ("sekishod-" + std::to_string(round) + ".log"));
            std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 600));
            d.signal(SIGKILL);
            d.wait(10s);
        }
        // `downloaded` only after the durable commit: whatever the service was told is
        // stored must be in the queue, even though the daemon died without warning.
        auto q = open_queue();
        const auto told = downloaded_ok(sim);
        UNSCOPED_INFO("round " << round << ": " << told.size() << " filings marked downloaded");
        for (const auto& id : told) {
            INFO(id);
            CHECK(q->find_external("mynaportal", id).has_value());
        }
    }
    {
        test::Child d({test::program("sekishod"), "-c", daemon.config.string()}, env,
                      daemon.dir / "final.log");
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        // Up and running (its signal handlers in place), and every filing confirmed.
        while ((test::read_file(daemon.dir / "final.log").find("sekishod started") ==
                    std::string::npos ||
                sim.count("/notices", "received").size() < ids.size()) &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(100ms);
        }
        d.signal(SIGTERM);
        CHECK(d.wait(15s) == 0);
    }
    auto q = open_queue();
    // Each filing is in the queue once, whatever the pipeline has made of it since (these
    // test packages are not valid filings, so most end rejected).
    std::int64_t items = 0;
    for (const auto& [state, n] : q->counts())
        items += n;
    CHECK(items == static_cast<std::int64_t>(ids.size()));
    std::size_t intact = 0;
    for (const auto& id : ids) {
        const auto item = q->find_external("mynaportal", id);
        REQUIRE(item);
        std::string bytes;
        q->read_payload(item->id, [&](queue::ByteView c) { bytes.append(c.begin(), c.end()); });
        intact += bytes == test::read_file(sim.filings / (id + ".zip"));
    }
    CHECK(intact == ids.size());
    const auto received = sim.count("/notices", "received");
    CHECK(received.size() == ids.size());
    // A kill between the service's answer and our durable record of it makes the daemon
    // send that notice again; the service takes the repeat idempotently (same notice_id),
    // so each filing still has exactly one received notice there.
    std::map<std::string, std::set<std::string>> notice_ids;
    for (const auto& r : sim.recorded()) {
        if (r.contains("notice") && r.at("notice").at("kind").as_string() == "received")
            notice_ids[std::string(r.at("arrive_id").as_string())].insert(
                std::string(r.at("notice").at("notice_id").as_string()));
    }
    for (const auto& [id, n] : received) {
        INFO(id << " received notices accepted: " << n);
        CHECK(notice_ids[id].size() == 1);
    }
    CHECK(q->verify_audit().ok());
    // The kills fell in the middle of the work, not after it.
    CHECK(downloaded_ok(sim).size() == ids.size());
}

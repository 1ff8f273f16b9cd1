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
        while (sim.count("/notices", "received").size() < ids.size() &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(100ms);
        }
        d.signal(SIGTERM);
        CHECK(d.wait(15s) == 0);
    }
    auto q = open_queue();
    CHECK(q->counts()[queue::State::fetched] == static_cast<std::int64_t>(ids.size()));
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
    for (const auto& [id, n] : received)
        CHECK(n == 1);
    CHECK(q->verify_audit().ok());
    // The kills fell in the middle of the work, not after it.
    CHECK(downloaded_ok(sim).size() == ids.size());
}

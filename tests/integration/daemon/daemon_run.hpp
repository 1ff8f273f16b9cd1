#pragma once
// sekishod as a separate process with a real clamd: starting, stopping and restarting it,
// reading its metrics, and waiting for what they show. The source-specific fixtures
// (pipeline_fixture.hpp for Mynaportal, chukan_daemon_fixture.hpp) build on it.

#include <signal.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "queue/queue.hpp"
#include "tests/integration/daemon/daemon_fixture.hpp"
#include "tests/support/clamd_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/queue/queue_fixture.hpp"

namespace sekisho::test {

struct DaemonRun {
    ClamdFixture clamd;
    DaemonFixture daemon;
    std::unique_ptr<Child> sekishod;
    int daemon_runs = 0;
    std::vector<std::string> daemon_prefix;  // e.g. `ip netns exec NS`

    // The [clamd] section for the fixture's clamd.
    std::string clamd_config() const {
        const auto q = [](const std::filesystem::path& p) { return "\"" + p.string() + "\""; };
        return "[clamd]\nsocket = " + q(clamd.socket_path()) +
               "\ndatabase_dir = " + q(clamd.database_dir()) + "\ntimeout = \"10s\"\n";
    }

    void start_daemon() {
        const std::map<std::string, std::string> env{{"NOTIFY_SOCKET", ""},
                                                     {"CREDENTIALS_DIRECTORY", ""}};
        std::vector<std::string> argv = daemon_prefix;
        argv.insert(argv.end(), {program("sekishod").string(), "-c", daemon.config.string()});
        sekishod = std::make_unique<Child>(argv, env, daemon_log(++daemon_runs));
    }

    std::filesystem::path daemon_log(int run_no = 0) const {
        return daemon.dir / ("sekishod-" + std::to_string(run_no ? run_no : daemon_runs) + ".log");
    }

    void stop_daemon() {
        sekishod->signal(SIGTERM);
        CHECK(sekishod->wait(std::chrono::seconds(30)) == 0);
        sekishod.reset();
    }

    std::unique_ptr<queue::Queue> open_queue() const {
        return std::make_unique<queue::Queue>(queue::QueueOptions{daemon.state, 0},
                                              key_bytes(read_file(daemon.dir / "queue.key")),
                                              key_bytes(read_file(daemon.dir / "audit.key")));
    }

    template <typename Pred>
    static bool wait(std::chrono::seconds limit, Pred done) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > until)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return true;
    }

    std::map<std::string, double> metrics() const {
        std::map<std::string, double> out;
        std::istringstream in(read_file(daemon.metrics));
        std::string line;
        while (std::getline(in, line)) {
            const auto space = line.rfind(' ');
            if (line.empty() || line[0] == '#' || space == std::string::npos)
                continue;
            out[line.substr(0, space)] = std::stod(line.substr(space + 1));
        }
        return out;
    }

    bool wait_for_metric(const std::string& line, std::chrono::seconds limit) const {
        return wait(limit,
                    [&] { return read_file(daemon.metrics).find(line) != std::string::npos; });
    }

    double items_in(const std::string& state) const {
        const auto m = metrics();
        const auto it = m.find("sekisho_queue_items{state=\"" + state + "\"}");
        return it == m.end() ? 0 : it->second;
    }
};

}  // namespace sekisho::test

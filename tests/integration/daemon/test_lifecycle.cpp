#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <thread>

#include "tests/integration/daemon/daemon_fixture.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/process.hpp"

using namespace sekisho::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 10s;

struct RunningDaemon {
    DaemonFixture f;
    NotifySocket notify{f.dir / "notify.sock"};
    std::filesystem::path log = f.dir / "sekishod.log";
    Child child{{program("sekishod"), "-c", f.config.string()},
                {{"NOTIFY_SOCKET", notify.path().string()},
                 {"WATCHDOG_USEC", "400000"},
                 {"CREDENTIALS_DIRECTORY", ""}},
                log};

    std::string log_text() const { return read_file(log); }

    bool log_contains(std::string_view text, std::chrono::milliseconds timeout = kWait) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (log_text().find(text) != std::string::npos)
                return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }
};

}  // namespace

TEST_CASE("sekishod tells the service manager READY and keeps the watchdog fed",
          "[daemon][lifecycle]") {
    RunningDaemon d;
    REQUIRE(d.notify.wait_for("READY=1", kWait));
    CHECK_THAT(d.notify.messages().back(), Catch::Contains("STATUS=running"));
    // WATCHDOG_USEC=400ms: keep-alives every 200ms, so several within two seconds.
    REQUIRE(d.notify.wait_for("WATCHDOG=1", 2s));
    REQUIRE(d.notify.wait_for("WATCHDOG=1", 2s));
    CHECK(d.child.running());
    d.child.signal(SIGTERM);
    CHECK(d.notify.wait_for("STOPPING=1", kWait));
    CHECK(d.child.wait(kWait) == 0);
}

TEST_CASE("SIGHUP with a broken configuration keeps the old one in force", "[daemon][lifecycle]") {
    RunningDaemon d;
    REQUIRE(d.notify.wait_for("READY=1", kWait));

    d.f.write_config("log_level = \"loud\"\n");
    d.child.signal(SIGHUP);
    REQUIRE(d.notify.wait_for("RELOADING=1", kWait));
    REQUIRE(d.notify.wait_for("READY=1", kWait));
    CHECK_THAT(d.notify.messages().back(), Catch::Contains("last reload FAILED"));
    CHECK(d.log_contains("daemon.log_level: must be one of"));
    CHECK(d.log_contains("reload failed; the previous configuration stays in force"));
    CHECK(d.child.running());
    CHECK_THAT(read_file(d.f.metrics),
               Catch::Contains("sekisho_config_reloads_total{result=\"failed\"} 1"));

    SECTION("a repaired configuration is taken on the next SIGHUP") {
        d.f.write_config("log_level = \"debug\"\n");
        d.child.signal(SIGHUP);
        REQUIRE(d.notify.wait_for("READY=1", kWait));
        CHECK(d.log_contains("configuration reloaded"));
        CHECK_THAT(read_file(d.f.metrics),
                   Catch::Contains("sekisho_config_reloads_total{result=\"ok\"} 1"));
    }
    SECTION("a change that needs a restart is refused as a whole") {
        d.f.state = d.f.dir / "other-state";
        d.f.write_config("log_level = \"debug\"\n");
        d.child.signal(SIGHUP);
        REQUIRE(d.notify.wait_for("READY=1", kWait));
        CHECK(d.log_contains("configuration change needs a restart key=daemon.state_dir"));
        CHECK_FALSE(std::filesystem::exists(d.f.dir / "other-state"));
    }
    d.child.signal(SIGTERM);
    CHECK(d.child.wait(kWait) == 0);
}

TEST_CASE("SIGINT stops as cleanly as SIGTERM", "[daemon][lifecycle]") {
    RunningDaemon d;
    REQUIRE(d.notify.wait_for("READY=1", kWait));
    d.child.signal(SIGINT);
    CHECK(d.child.wait(kWait) == 0);
    CHECK_THAT(read_file(d.f.metrics), Catch::Contains("sekisho_up 0"));
    CHECK(d.log_contains("sekishod stopped"));
}

TEST_CASE("a second daemon on the same state directory refuses to start", "[daemon][lifecycle]") {
    RunningDaemon d;
    REQUIRE(d.notify.wait_for("READY=1", kWait));
    const auto second = run({program("sekishod"), "-c", d.f.config.string()},
                            {{"NOTIFY_SOCKET", ""}, {"CREDENTIALS_DIRECTORY", ""}});
    CHECK(second.exit_code == 1);
    CHECK_THAT(second.err, Catch::Contains("another sekishod is running on it"));
    CHECK(d.child.running());
}

TEST_CASE("sekishod refuses to start with a bad configuration or a shared state directory",
          "[daemon][lifecycle]") {
    DaemonFixture f;
    SECTION("configuration errors") {
        f.write_config("log_level = 3\n");
        const auto r = run({program("sekishod"), "-c", f.config.string()}, {{"NOTIFY_SOCKET", ""}});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("daemon.log_level: expected a string"));
        CHECK_THAT(r.err, Catch::Contains("cannot start"));
    }
    SECTION("a state directory others can enter") {
        std::filesystem::create_directory(f.state);
        ::chmod(f.state.c_str(), 0755);
        const auto r = run({program("sekishod"), "-c", f.config.string()}, {{"NOTIFY_SOCKET", ""}});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("accessible by group or others"));
    }
}

TEST_CASE("sekishod opens its queue, audits start and stop, and refuses a wrong key",
          "[daemon][lifecycle]") {
    DaemonFixture f;
    const std::map<std::string, std::string> env{{"NOTIFY_SOCKET", ""},
                                                 {"CREDENTIALS_DIRECTORY", ""}};
    {
        Child child({program("sekishod"), "-c", f.config.string()}, env, f.dir / "first.log");
        const auto deadline = std::chrono::steady_clock::now() + kWait;
        while (read_file(f.metrics).find("sekisho_queue_items") == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(20ms);
        }
        CHECK_THAT(read_file(f.metrics),
                   Catch::Contains("sekisho_queue_items{state=\"staged\"} 0") &&
                       Catch::Contains("sekisho_audit_records 1"));
        child.signal(SIGTERM);
        REQUIRE(child.wait(kWait) == 0);
    }
    CHECK(std::filesystem::exists(f.state / "queue.db"));
    // Another key for the same queue: the daemon says so and does not start.
    write_file(f.dir / "queue.key", random_key(), 0600);
    const auto r = run({program("sekishod"), "-c", f.config.string()}, env);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("does not open this queue's keys"));
}

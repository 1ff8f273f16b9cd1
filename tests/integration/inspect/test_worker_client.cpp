#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "daemon/inspect/worker_client.hpp"
#include "tests/support/process.hpp"

using namespace sekisho::inspect;
using namespace std::chrono_literals;

namespace {

WorkerSettings fake(std::chrono::milliseconds timeout = 10s) {
    WorkerSettings s;
    s.program = sekisho::test::program("fake_inspect_worker");
    s.timeout = timeout;
    s.memory_limit = 256ull * 1024 * 1024;
    return s;
}

const Inspection& inspection(const WorkerResult& r) {
    if (const auto* f = std::get_if<Failure>(&r))
        FAIL("worker failed: " << f->reason);
    return std::get<Inspection>(r);
}

std::string failure(const WorkerResult& r) {
    REQUIRE(std::holds_alternative<Failure>(r));
    return std::get<Failure>(r).reason;
}

// The fake worker names its pid as its second entry.
std::string answered_by(const WorkerResult& r) {
    const auto& in = inspection(r);
    REQUIRE(in.entries.size() == 2);
    return in.entries[1].bytes;
}

bool process_gone(pid_t pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// The pid once the worker has one, for a request running in another thread.
pid_t running_pid(const InspectWorker& w) {
    for (int i = 0; i < 500 && w.pid() <= 0; ++i)
        std::this_thread::sleep_for(10ms);
    return w.pid();
}

}  // namespace

TEST_CASE("one worker answers many requests with verdicts and entries", "[worker]") {
    InspectWorker w(fake());
    const auto first = w.inspect("PK fine", Options{});
    CHECK(inspection(first).verdict.accepted());
    CHECK(inspection(first).entries[0].bytes == "PK fine");
    const auto second = w.inspect("REJECT me", Options{});
    CHECK(inspection(second).verdict.codes() == std::set<std::string>{"E-ZIP-CORRUPT"});
    CHECK(answered_by(first) == answered_by(second));
    CHECK(answered_by(first) == std::to_string(w.pid()));
}

TEST_CASE("a worker killed mid-request is a failure and the next request restarts it", "[worker]") {
    InspectWorker w(fake());
    const std::string before = answered_by(w.inspect("warm up", Options{}));
    auto pending = std::async(std::launch::async, [&] { return w.inspect("SLOW", Options{}); });
    const pid_t pid = running_pid(w);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(300ms);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    CHECK(failure(pending.get()) == "inspection worker crashed (signal 9)");
    CHECK(w.pid() == -1);
    const std::string after = answered_by(w.inspect("again", Options{}));
    CHECK(after != before);
    CHECK(after == std::to_string(w.pid()));
}

TEST_CASE("a hanging worker times out, is killed, and is replaced", "[worker]") {
    InspectWorker w(fake(700ms));
    const pid_t pid = std::stoi(answered_by(w.inspect("warm up", Options{})));
    const auto start = std::chrono::steady_clock::now();
    CHECK(failure(w.inspect("HANG", Options{})) == "inspection timed out after 700 ms");
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 700ms);
    CHECK(took < 5s);
    CHECK(process_gone(pid));
    CHECK(inspection(w.inspect("fine", Options{})).verdict.accepted());

    InspectWorker seconds(fake(1s));
    CHECK(failure(seconds.inspect("HANG", Options{})) == "inspection timed out after 1 s");
}

TEST_CASE("a worker beyond its memory limit is a failure", "[worker]") {
    InspectWorker w(fake());
    const std::string reason = failure(w.inspect("ALLOC", Options{}));
#if defined(__SANITIZE_ADDRESS__)
    // ASan's operator new reports and exits instead of throwing std::bad_alloc.
    CHECK_THAT(reason, Catch::StartsWith("inspection worker"));
#else
    CHECK(reason == "worker exceeded its memory limit (256 MiB)");
#endif
    CHECK(inspection(w.inspect("fine", Options{})).verdict.accepted());
}

TEST_CASE("a worker that answers garbage or too much is a failure", "[worker]") {
    InspectWorker w(fake());
    Options two_entries;
    two_entries.limits.max_entries = 2;
    for (const char* bad : {"GARBAGE", "HUGE", "MANY"}) {
        INFO(bad);
        const pid_t before = std::stoi(answered_by(w.inspect("fine", two_entries)));
        CHECK(failure(w.inspect(bad, two_entries)) == "inspection worker sent an invalid answer");
        CHECK(process_gone(before));
    }
    CHECK(failure(w.inspect("THROW", Options{})) == "the inspector failed with an internal error");
    CHECK(failure(w.inspect("EXIT", Options{})) ==
          "inspection worker exited unexpectedly (status 5)");
    CHECK(inspection(w.inspect("fine", Options{})).verdict.accepted());
}

TEST_CASE("a worker that cannot be started is a failure naming the program", "[worker]") {
    WorkerSettings s = fake();
    s.program = "/nonexistent/sekisho-inspect-worker";
    InspectWorker w(s);
    CHECK_THAT(failure(w.inspect("fine", Options{})),
               Catch::StartsWith("inspection worker could not be started: ") &&
                   Catch::Contains("No such file"));
}

TEST_CASE("the destructor ends the worker", "[worker]") {
    pid_t pid = -1;
    {
        InspectWorker w(fake());
        CHECK(inspection(w.inspect("fine", Options{})).verdict.accepted());
        pid = w.pid();
    }
    CHECK(process_gone(pid));
}

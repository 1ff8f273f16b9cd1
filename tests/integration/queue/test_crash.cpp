// SIGKILL at random moments while a child enqueues and advances items; after every kill
// the queue must recover with nothing lost, nothing duplicated, every payload intact, no
// stray files and an audit chain that verifies.
// SEKISHO_CRASH_ROUNDS sets the number of kills (default 200; the soak target uses more).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/queue/crash_workload.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

struct Expectation {
    std::map<std::string, std::string> acked;  // external id -> item id
    std::map<std::string, State> states;       // item id -> last acknowledged state
    std::set<std::string> unacked;             // committed, but killed before saying so
    std::set<std::string> verified;            // payloads already compared byte for byte
};

void parse_lines(const std::string& text, Expectation& e) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string kind, a, b;
        words >> kind >> a >> b;
        if (kind == "ACK") {
            e.acked[a] = b;
            if (!e.states.contains(b))
                e.states[b] = State::fetched;
        } else if (kind == "STATE") {
            e.states[a] = *parse_state(b);
        }
    }
}

// Runs the child for `ms` milliseconds, kills it, and returns everything it printed.
// Only complete lines count: a line cut by the kill was not acknowledged.
std::string run_and_kill(const std::vector<std::string>& argv, int ms) {
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(out[1]);
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    bool killed = false;
    for (;;) {
        if (!killed && std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            killed = true;
        }
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, 2) <= 0)
            continue;
        char buf[65536];
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    return text.substr(0, text.rfind('\n') + 1);
}

void check_queue(test::QueueFixture& f, Expectation& e, bool all_payloads) {
    auto& q = f.open();
    const auto items = q.list(std::nullopt, std::nullopt, 1'000'000);
    std::map<std::string, ItemInfo> by_external;
    std::vector<std::string> twice;
    for (const auto& i : items) {
        if (!by_external.emplace(i.external_id, i).second)
            twice.push_back(i.external_id);
    }
    CHECK(twice.empty());
    // Every acknowledged item is there, in its acknowledged state or the one after it.
    std::vector<std::string> lost, wrong_state;
    for (const auto& [ext, id] : e.acked) {
        const auto it = by_external.find(ext);
        if (it == by_external.end() || it->second.id.str() != id) {
            lost.push_back(ext);
            continue;
        }
        const int acked = test::crash_rank(e.states.at(id));
        const int now = test::crash_rank(it->second.state);
        if (now < acked || now > acked + 1)
            wrong_state.push_back(ext);
    }
    CHECK(lost.empty());
    CHECK(wrong_state.empty());
    // What recovery found is the truth the next child starts from: a transition that
    // committed unacknowledged may be followed by others in later rounds.
    for (const auto& [ext, id] : e.acked) {
        if (const auto it = by_external.find(ext); it != by_external.end()) {
            e.states[id] = it->second.state;
        }
    }
    // At most one in-flight commit per enqueuing thread was not acknowledged.
    std::size_t new_unacked = 0;
    for (const auto& [ext, info] : by_external) {
        if (!e.acked.contains(ext) && e.unacked.insert(ext).second)
            ++new_unacked;
    }
    CHECK(new_unacked <= 3);
    // The payload directory holds exactly the live items' sealed files.
    std::size_t live = 0;
    std::size_t missing = 0;
    for (const auto& i : items) {
        if (i.state == State::purged || i.stored_inline)
            continue;
        ++live;
        if (!std::filesystem::exists(q.payload_path(i.id)))
            ++missing;
    }
    CHECK(missing == 0);
    std::size_t files = 0;
    std::size_t strays = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(f.dir.path() / "state" / "payloads")) {
        if (entry.path().extension() != ".seal")
            ++strays;
        ++files;
    }
    CHECK(strays == 0);
    CHECK(files == live);
    // Every byte of every payload, every 25 rounds; otherwise the ones new this round.
    std::size_t damaged = 0;
    for (const auto& i : items) {
        if (i.state == State::purged || !(all_payloads || !e.verified.contains(i.external_id))) {
            continue;
        }
        if (f.payload(i.id) != test::crash_payload(i.external_id))
            ++damaged;
        e.verified.insert(i.external_id);
    }
    CHECK(damaged == 0);
    const auto audit = q.verify_audit();
    for (const auto& p : audit.problems)
        UNSCOPED_INFO("audit " << p.seq << ": " << p.what);
    CHECK(audit.ok());
    CHECK(q.counts()[State::corrupt] == 0);
    f.q.reset();
}

}  // namespace

TEST_CASE("the queue loses and duplicates nothing across 200+ SIGKILLs", "[queue][crash]") {
    const char* env = std::getenv("SEKISHO_CRASH_ROUNDS");
    const int rounds = env != nullptr ? std::atoi(env) : 200;
    test::QueueFixture f;
    f.q.reset();
    test::write_file(f.dir / "queue.key", f.queue_key, 0600);
    test::write_file(f.dir / "audit.key", f.audit_key, 0600);
    std::mt19937 rng(12345);
    Expectation e;
    for (int round = 0; round < rounds; ++round) {
        INFO("round " << round);
        const int ms = 5 + static_cast<int>(rng() % 80);
        const std::string out =
            run_and_kill({test::program("queue_crash_child"), (f.dir.path() / "state").string(),
                          (f.dir / "queue.key").string(), (f.dir / "audit.key").string(),
                          "r" + std::to_string(round)},
                         ms);
        parse_lines(out, e);
        check_queue(f, e, round % 25 == 24 || round == rounds - 1);
    }
    std::cout << "crash test: " << rounds << " SIGKILLs, " << e.acked.size()
              << " acknowledged items, " << e.states.size() << " items with acknowledged states\n";
    CHECK(e.acked.size() > static_cast<std::size_t>(rounds));
}

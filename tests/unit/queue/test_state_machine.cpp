#include <catch2/catch.hpp>

#include "queue/state.hpp"
#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

// The state machine of DESIGN.md, written out independently of state.cpp.
bool expected_edge(State from, State to) {
    using S = State;
    if (to == S::purged)
        return from != S::purged;
    if (to == S::corrupt)
        return payload_expected(from);
    switch (from) {
        case S::fetched:
            return to == S::inspecting || to == S::duplicate;
        case S::inspecting:
            return to == S::scanning || to == S::rejected || to == S::held;
        case S::scanning:
            return to == S::staged || to == S::rejected || to == S::held || to == S::inspecting;
        case S::staged:
            return to == S::released || to == S::rejected || to == S::held || to == S::inspecting;
        case S::held:
            return to == S::inspecting || to == S::released || to == S::rejected;
        case S::released:
            return to == S::sent || to == S::held;
        default:
            return false;
    }
}

// Drives a fresh item into `target` along legal transitions.
ItemId item_in(test::QueueFixture& f, State target, int n) {
    const auto id = f.enqueue("ext-" + std::to_string(n), "payload " + std::to_string(n)).id;
    auto go = [&](State s, Change c = {}) {
        c.to = s;
        f.q->transition(id, c);
    };
    switch (target) {
        case State::fetched:
            break;
        case State::duplicate:
            go(State::duplicate);
            break;
        case State::corrupt:
            go(State::corrupt);
            break;
        case State::purged:
            go(State::duplicate);
            f.q->purge_expired({}, std::chrono::system_clock::now() + std::chrono::seconds(1));
            break;
        default:
            go(State::inspecting);
            if (target == State::inspecting)
                break;
            if (target == State::rejected || target == State::held) {
                go(target, {target, "state", "reject"});
                break;
            }
            go(State::scanning, {State::scanning, "state", "accept"});
            if (target == State::scanning)
                break;
            go(State::staged, {State::staged, "state", std::nullopt, std::nullopt, true});
            if (target == State::staged)
                break;
            go(State::released);
            if (target == State::released)
                break;
            go(State::sent);
    }
    REQUIRE(f.q->find(id)->state == target);
    return id;
}

}  // namespace

TEST_CASE("names of states round-trip", "[queue][state]") {
    for (State s : kAllStates)
        CHECK(parse_state(name(s)) == s);
    CHECK_FALSE(parse_state("approved"));
}

TEST_CASE("the transition table is exactly the state machine", "[queue][state]") {
    for (State from : kAllStates) {
        for (State to : kAllStates) {
            INFO(name(from) << " -> " << name(to));
            CHECK(allowed(from, to) == expected_edge(from, to));
        }
    }
}

TEST_CASE("every illegal transition is refused and leaves no trace", "[queue][state]") {
    test::QueueFixture f;
    int n = 0;
    for (State from : kAllStates) {
        for (State to : kAllStates) {
            if (allowed(from, to))
                continue;
            INFO(name(from) << " -> " << name(to));
            const auto id = item_in(f, from, n++);
            const auto records = f.q->audit_records();
            CHECK_THROWS_AS(f.q->transition(id, {to}), IllegalTransition);
            CHECK(f.q->find(id)->state == from);
            CHECK(f.q->audit_records() == records);
        }
    }
}

TEST_CASE("release needs a passed inspection and a clean scan", "[queue][state]") {
    test::QueueFixture f;
    const auto id = f.enqueue("a", "x").id;
    f.q->transition(id, {State::inspecting});
    f.q->transition(
        id, {State::held, "state", std::nullopt, std::nullopt, false, {{"why", "worker crashed"}}});
    CHECK_THROWS_AS(f.q->transition(id, {State::released}), IllegalTransition);
    f.q->transition(id, {State::inspecting});
    f.q->transition(id, {State::scanning, "state", "accept"});
    f.q->transition(id, {State::staged, "state", std::nullopt, std::nullopt, true});
    f.q->transition(id, {State::held});
    f.q->transition(id, {State::released});
    CHECK(f.q->find(id)->state == State::released);
}

TEST_CASE("requeue clears the verdict and counts the attempt", "[queue][state]") {
    test::QueueFixture f;
    const auto id = f.enqueue("a", "x").id;
    f.q->transition(id, {State::inspecting});
    f.q->transition(id, {State::scanning, "state", "accept", R"([{"code":"x"}])"});
    f.q->transition(id, {State::inspecting});
    const auto info = *f.q->find(id);
    CHECK_FALSE(info.verdict);
    CHECK(info.reasons_json == "[]");
    CHECK(info.attempts == 2);
}

#pragma once
// The states of an item and the transitions between them (DESIGN.md, "An item's life").
// Every change of state goes through allowed(); anything not listed is refused.

#include <array>
#include <optional>
#include <string_view>

namespace sekisho::queue {

enum class State {
    fetched,     // sealed and committed, not yet inspected
    inspecting,  // with the inspector worker
    scanning,    // inspection passed; waiting for a clean scan (retried while clamd is unusable)
    staged,      // inspected and scanned clean; waiting for a release
    held,        // an operator must look at it (put on hold, or no verdict could be had)
    released,    // released by an operator or an auto-release rule; waiting for the sender
    sent,        // handed to the one-way link the configured number of times
    rejected,    // refused by inspection, the scanner or an operator
    duplicate,   // same package already taken in under another id
    corrupt,     // payload missing or failed authentication
    purged,      // keys and bytes destroyed; the row stays as a tombstone
};

inline constexpr std::array<State, 11> kAllStates{
    State::fetched,   State::inspecting, State::scanning, State::staged,
    State::held,      State::released,   State::sent,     State::rejected,
    State::duplicate, State::corrupt,    State::purged};

std::string_view name(State s);
std::optional<State> parse_state(std::string_view text);

// Whether `from` → `to` is a transition of the state machine.
bool allowed(State from, State to);

// States whose payload must exist and authenticate (all but corrupt and purged).
bool payload_expected(State s);

}  // namespace sekisho::queue

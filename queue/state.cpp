#include "queue/state.hpp"

#include <initializer_list>
#include <utility>

namespace sekisho::queue {
namespace {

struct Edge {
    State from;
    std::initializer_list<State> to;
};

// corrupt is reachable from every state that keeps a payload: recovery or a read can
// find the payload missing or tampered with at any point of the item's life. purged is
// reachable from every state because a legal retention limit (本人確認 results: one
// year) applies whatever the item's state.
const Edge kEdges[] = {
    {State::fetched, {State::inspecting, State::duplicate, State::corrupt, State::purged}},
    {State::inspecting,
     {State::scanning, State::rejected, State::held, State::corrupt, State::purged}},
    {State::scanning,
     {State::staged, State::rejected, State::held, State::inspecting, State::corrupt,
      State::purged}},
    {State::staged,
     {State::released, State::rejected, State::held, State::inspecting, State::corrupt,
      State::purged}},
    {State::held,
     {State::inspecting, State::released, State::rejected, State::corrupt, State::purged}},
    {State::released, {State::sent, State::held, State::corrupt, State::purged}},
    {State::sent, {State::corrupt, State::purged}},
    {State::rejected, {State::corrupt, State::purged}},
    {State::duplicate, {State::corrupt, State::purged}},
    {State::corrupt, {State::purged}},
    {State::purged, {}},
};

constexpr std::pair<State, std::string_view> kNames[] = {
    {State::fetched, "fetched"},     {State::inspecting, "inspecting"},
    {State::scanning, "scanning"},   {State::staged, "staged"},
    {State::held, "held"},           {State::released, "released"},
    {State::sent, "sent"},           {State::rejected, "rejected"},
    {State::duplicate, "duplicate"}, {State::corrupt, "corrupt"},
    {State::purged, "purged"},
};

}  // namespace

std::string_view name(State s) {
    for (const auto& [state, n] : kNames) {
        if (state == s)
            return n;
    }
    return "unknown";
}

std::optional<State> parse_state(std::string_view text) {
    for (const auto& [state, n] : kNames) {
        if (n == text)
            return state;
    }
    return std::nullopt;
}

bool allowed(State from, State to) {
    for (const auto& edge : kEdges) {
        if (edge.from != from)
            continue;
        for (State t : edge.to) {
            if (t == to)
                return true;
        }
    }
    return false;
}

bool payload_expected(State s) {
    return s != State::purged && s != State::corrupt;
}

}  // namespace sekisho::queue

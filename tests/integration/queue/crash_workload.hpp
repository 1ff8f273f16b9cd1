#pragma once
// What the crash test's child does and what the parent expects of it: payloads derived
// from the external id (so the parent can check every byte), and the order of the
// states the child moves items through.

#include <cstdint>
#include <random>
#include <string>

#include "queue/state.hpp"

namespace sekisho::test {

inline std::string crash_payload(const std::string& external_id) {
    std::seed_seq seed(external_id.begin(), external_id.end());
    std::mt19937_64 rng(seed);
    // Mostly small; one in eight spans several chunks.
    const std::size_t size = rng() % 8 == 0 ? 300'000 + rng() % 500'000 : 1 + rng() % 40'000;
    std::string out(size, '\0');
    for (auto& c : out)
        c = static_cast<char>(rng());
    return out;
}

// Position on the path fetched → … → sent → purged that the child drives items along.
inline int crash_rank(queue::State s) {
    using S = queue::State;
    switch (s) {
        case S::fetched:
            return 0;
        case S::inspecting:
            return 1;
        case S::scanning:
            return 2;
        case S::staged:
            return 3;
        case S::released:
            return 4;
        case S::sent:
            return 5;
        case S::purged:
            return 6;
        default:
            return -1;
    }
}

}  // namespace sekisho::test

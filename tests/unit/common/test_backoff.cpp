#include <catch2/catch.hpp>

#include "common/backoff.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

TEST_CASE("back-off doubles up to its ceiling, with jitter", "[common][backoff]") {
    Backoff b(1000ms, 8000ms);
    const std::chrono::milliseconds ceilings[] = {1000ms, 2000ms, 4000ms, 8000ms, 8000ms, 8000ms};
    for (auto ceiling : ceilings) {
        const auto wait = b.next();
        CHECK(wait >= ceiling / 2);
        CHECK(wait <= ceiling);
    }
    CHECK(b.failures() == 6);
    b.reset();
    CHECK(b.next() <= 1000ms);
}

TEST_CASE("Retry-After is honoured as a minimum", "[common][backoff]") {
    Backoff b(100ms, 1000ms);
    CHECK(b.next(30s) == 30000ms);
    CHECK(b.next(0s) >= 100ms);
}

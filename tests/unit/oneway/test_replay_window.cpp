// The anti-replay window: each sequence number is taken once, late ones inside the
// window are still taken, anything older than the window is refused.

#include <catch2/catch.hpp>

#include "adapters/oneway/replay_window.hpp"

using sekisho::oneway::ReplayWindow;

TEST_CASE("a sequence number is accepted once", "[oneway][replay]") {
    ReplayWindow w;
    CHECK(w.accept(1));
    CHECK_FALSE(w.accept(1));
    CHECK(w.accept(3));
    CHECK(w.accept(2));
    CHECK_FALSE(w.accept(2));
    CHECK_FALSE(w.accept(3));
    CHECK_FALSE(w.accept(0));
}

TEST_CASE("reordered numbers inside the window are taken, older ones refused", "[oneway][replay]") {
    ReplayWindow w;
    CHECK(w.accept(100000));
    CHECK(w.accept(100000 - ReplayWindow::kSize + 1));
    CHECK_FALSE(w.accept(100000 - ReplayWindow::kSize));
    // Jumping far ahead forgets the old window entirely.
    CHECK(w.accept(100000 + 3 * ReplayWindow::kSize));
    CHECK_FALSE(w.accept(100000));
    CHECK(w.accept(100000 + 3 * ReplayWindow::kSize - 1));
}

TEST_CASE("slots reused after the window moves stand for new numbers", "[oneway][replay]") {
    ReplayWindow w;
    for (std::uint64_t s = 1; s <= 3 * ReplayWindow::kSize; s += 7)
        REQUIRE(w.accept(s));
    // Every number not yet seen inside the window is still free, once.
    const std::uint64_t top = w.highest();
    for (std::uint64_t s = top - 100; s < top; ++s) {
        const bool seen_before = (s - 1) % 7 == 0;
        CHECK(w.accept(s) == !seen_before);
        CHECK_FALSE(w.accept(s));
    }
}

#pragma once
// Drops datagrams seen before (PROTOCOL.md, "Replays"): the highest sequence number of
// the session and a bitmap of the 65,536 below it, as IPsec's anti-replay window does.
// Call accept() only for datagrams that authenticated, so a forger cannot move the
// window.

#include <bitset>
#include <cstdint>
#include <memory>

namespace sekisho::oneway {

class ReplayWindow {
  public:
    static constexpr std::uint64_t kSize = 65536;

    ReplayWindow() : seen_(std::make_unique<std::bitset<kSize>>()) {}
    // True, and remembered, the first time a sequence number inside the window is seen.
    bool accept(std::uint64_t sequence);
    std::uint64_t highest() const { return highest_; }

  private:
    std::uint64_t highest_ = 0;
    std::unique_ptr<std::bitset<kSize>> seen_;  // bit (seq % kSize) for seq in the window
};

}  // namespace sekisho::oneway

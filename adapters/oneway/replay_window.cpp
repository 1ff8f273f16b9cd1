#include "adapters/oneway/replay_window.hpp"

namespace sekisho::oneway {

bool ReplayWindow::accept(std::uint64_t sequence) {
    if (sequence == 0)
        return false;
    if (sequence > highest_) {
        // Slots between the old and the new highest now stand for new numbers.
        const std::uint64_t advance = sequence - highest_;
        if (advance >= kSize) {
            seen_->reset();
        } else {
            for (std::uint64_t s = highest_ + 1; s < sequence; ++s)
                seen_->reset(s % kSize);
        }
        highest_ = sequence;
        seen_->set(sequence % kSize);
        return true;
    }
    if (highest_ - sequence >= kSize)
        return false;
    const auto slot = sequence % kSize;
    if (seen_->test(slot))
        return false;
    seen_->set(slot);
    return true;
}

}  // namespace sekisho::oneway

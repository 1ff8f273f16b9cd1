#pragma once
// The configured link rate (`[oneway] rate`), enforced before every batch of datagrams:
// a bucket that fills at `rate` bits per second and holds 5 ms' worth (at least one
// batch). Small enough that a shaper on the way (tbf's usual 10 ms) never sees a burst
// it would drop; large enough that a sleep that overshoots by a fraction of a
// millisecond is made up for instead of lost to the rate.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

namespace sekisho::oneway {

class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;

    static constexpr double kBurstSeconds = 0.005;

    // `batch_bytes`: the largest batch that must be able to leave at once.
    TokenBucket(std::uint64_t rate_bps, std::uint64_t batch_bytes)
        : bytes_per_second_(static_cast<double>(rate_bps) / 8.0),
          capacity_(std::max(static_cast<double>(batch_bytes), bytes_per_second_ * kBurstSeconds)),
          tokens_(capacity_),
          last_(Clock::now()) {}

    double capacity() const { return capacity_; }

    // Waits until `bytes` may be sent, then takes them.
    void take(std::uint64_t bytes) {
        const double need = static_cast<double>(bytes);
        refill();
        if (tokens_ < need) {
            const double missing = need - tokens_;
            std::this_thread::sleep_for(std::chrono::duration<double>(missing / bytes_per_second_));
            refill();
        }
        tokens_ -= need;  // may go a little negative after a short sleep; repaid next time
    }

  private:
    void refill() {
        const auto now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        tokens_ = std::min(capacity_, tokens_ + elapsed * bytes_per_second_);
    }
    double bytes_per_second_;
    double capacity_;
    double tokens_;
    Clock::time_point last_;
};

}  // namespace sekisho::oneway

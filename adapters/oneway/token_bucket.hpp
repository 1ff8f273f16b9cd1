#pragma once
// The configured link rate (`[oneway] rate`), enforced before every batch of datagrams:
// a bucket that fills at `rate` bits per second and holds at most a few milliseconds'
// worth, so that a router or a shaper on the way never sees a burst it would drop.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

namespace sekisho::oneway {

class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;

    // `burst_bytes`: what may leave at once (at least one batch of datagrams).
    TokenBucket(std::uint64_t rate_bps, std::uint64_t burst_bytes)
        : bytes_per_second_(static_cast<double>(rate_bps) / 8.0),
          capacity_(static_cast<double>(burst_bytes)),
          tokens_(capacity_),
          last_(Clock::now()) {}

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

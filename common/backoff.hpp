#pragma once
// Exponential back-off with jitter for retries against a service: after n failures in a
// row the wait is between half and all of min(base * 2^n, max), and never shorter than
// the Retry-After the service asked for.

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>

namespace sekisho {

// The wait after `failures` failures in a row: between half and all of
// min(base * 2^failures, max), at least `retry_after`.
template <typename Rng>
std::chrono::milliseconds backoff_delay(int failures, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max,
                                        std::optional<std::chrono::seconds> retry_after, Rng& rng) {
    auto ceiling = base;
    for (int i = 0; i < failures && ceiling < max; ++i)
        ceiling *= 2;
    ceiling = std::min(ceiling, max);
    std::uniform_int_distribution<std::chrono::milliseconds::rep> jitter(ceiling.count() / 2,
                                                                         ceiling.count());
    std::chrono::milliseconds wait(jitter(rng));
    if (retry_after)
        wait = std::max<std::chrono::milliseconds>(wait, *retry_after);
    return wait;
}

inline std::chrono::milliseconds backoff_delay(int failures, std::chrono::milliseconds base,
                                               std::chrono::milliseconds max,
                                               std::optional<std::chrono::seconds> retry_after) {
    thread_local std::mt19937 rng(std::random_device{}());
    return backoff_delay(failures, base, max, retry_after, rng);
}

class Backoff {
  public:
    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max)
        : base_(base), max_(max), rng_(std::random_device{}()) {}

    std::chrono::milliseconds next(std::optional<std::chrono::seconds> retry_after = std::nullopt) {
        return backoff_delay(failures_++, base_, max_, retry_after, rng_);
    }

    void reset() { failures_ = 0; }
    int failures() const { return failures_; }

  private:
    std::chrono::milliseconds base_;
    std::chrono::milliseconds max_;
    int failures_ = 0;
    std::mt19937 rng_;
};

// A source's back-off after failed polls: 5 s doubling, up to six poll intervals but never
// more than 30 minutes.
inline Backoff source_backoff(std::chrono::milliseconds poll_interval) {
    using namespace std::chrono_literals;
    const std::chrono::milliseconds base = 5s;
    const std::chrono::milliseconds most = 30min;
    return Backoff(base, std::max(base, std::min(most, poll_interval * 6)));
}

}  // namespace sekisho

#pragma once
// The Mynaportal source as the daemon runs it (a CycleLoop): the configured interval
// between successes,
// exponential back-off with jitter after failures (Retry-After honoured), and a stop
// when the password has expired until the configuration is reloaded.

#include <chrono>
#include <optional>
#include <string>

#include "adapters/mynaportal/poller.hpp"
#include "common/backoff.hpp"
#include "common/cycle_loop.hpp"

namespace sekisho::mynaportal {

struct SourceStatus {
    enum class State { starting, polling, backing_off, password_expired, stopped };
    State state = State::starting;
    std::optional<std::chrono::system_clock::time_point> last_cycle;
    CycleReport last_report;
    std::int64_t cycles = 0;
    std::int64_t filings_taken = 0;
    std::int64_t fetch_failures = 0;  // filings left for a later cycle after an error
    DurationSummary fetch_duration;   // every cycle's, summed
    std::optional<std::int64_t> password_days_left;
};

std::string_view name(SourceStatus::State s);

class Source : public CycleLoop {
  public:
    Source(boost::asio::any_io_executor executor, queue::Queue& q, PollSettings settings,
           std::chrono::milliseconds interval);

    // New settings (a reload): used from the next cycle; a source stopped for an expired
    // password tries again.
    void reconfigure(PollSettings settings, std::chrono::milliseconds interval);
    const SourceStatus& status() const { return status_; }

  private:
    boost::asio::awaitable<std::chrono::milliseconds> cycle() override;
    void stopped() override { status_.state = SourceStatus::State::stopped; }
    std::chrono::milliseconds after(const CycleReport& r);
    void warn_about_password(const CycleReport& r);

    queue::Queue& queue_;
    PollSettings settings_;
    std::chrono::milliseconds interval_;
    Backoff backoff_;
    SourceStatus status_;
    std::optional<std::int64_t> last_warned_day_;
};

}  // namespace sekisho::mynaportal

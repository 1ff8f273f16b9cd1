#pragma once
// The Mynaportal source as the daemon runs it: poll cycles one after another on the
// daemon's event loop (never two at once), the configured interval between successes,
// exponential back-off with jitter after failures (Retry-After honoured), and a stop
// when the password has expired until the configuration is reloaded.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/mynaportal/poller.hpp"
#include "common/backoff.hpp"

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

class Source {
  public:
    Source(boost::asio::any_io_executor executor, queue::Queue& q, PollSettings settings,
           std::chrono::milliseconds interval);
    ~Source();

    // `on_finished` runs when the loop has ended (after stop(), once a cycle in flight is over).
    void start(std::function<void()> on_finished = {});
    void stop();
    bool in_cycle() const { return status_.state == SourceStatus::State::polling; }
    // Called after every poll cycle (e.g. to publish fresh metrics).
    void on_cycle(std::function<void()> observer) { on_cycle_ = std::move(observer); }
    // New settings (a reload): used from the next cycle; a source stopped for an expired
    // password tries again.
    void reconfigure(PollSettings settings, std::chrono::milliseconds interval);
    const SourceStatus& status() const { return status_; }

  private:
    boost::asio::awaitable<void> loop();
    std::chrono::milliseconds after(const CycleReport& r);
    void warn_about_password(const CycleReport& r);

    boost::asio::any_io_executor executor_;
    queue::Queue& queue_;
    PollSettings settings_;
    std::chrono::milliseconds interval_;
    boost::asio::steady_timer timer_;
    Backoff backoff_;
    SourceStatus status_;
    std::optional<std::int64_t> last_warned_day_;
    bool stopping_ = false;
    bool wake_ = false;  // reconfigure() came while a cycle ran: poll again at once
    std::shared_ptr<bool> alive_;
    std::function<void()> on_cycle_;
};

}  // namespace sekisho::mynaportal

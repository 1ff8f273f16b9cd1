#pragma once
// The 中間サーバー source as the daemon runs it (a CycleLoop): the poll interval between
// successes (the status interval while requests wait for their result), exponential
// back-off with jitter after failures (Retry-After honoured), and a refused IPsec path
// shown in the status until it is protected again.

#include <chrono>
#include <optional>
#include <string>

#include "adapters/chukan/poller.hpp"
#include "common/backoff.hpp"
#include "common/cycle_loop.hpp"

namespace sekisho::chukan {

struct SourceStatus {
    enum class State { starting, polling, backing_off, path_refused, stopped };
    State state = State::starting;
    std::optional<std::chrono::system_clock::time_point> last_cycle;
    CycleReport last_report;
    std::int64_t cycles = 0;
    std::int64_t results_taken = 0;
    std::int64_t fetch_failures = 0;
    std::int64_t uploaded = 0;
    std::int64_t path_refusals = 0;  // cycles that did not connect because of the path check
    DurationSummary fetch_duration;
};

std::string_view name(SourceStatus::State s);

class Source : public CycleLoop {
  public:
    Source(boost::asio::any_io_executor executor, queue::Queue& q, PollSettings settings,
           std::chrono::milliseconds interval);

    // A request file was released: a cycle starts now to upload it, unless the source waits
    // on purpose (back-off after a failure, Retry-After, a refused path).
    void wake_for_upload();
    // New settings (a reload): used from the next cycle, which starts at once.
    void reconfigure(PollSettings settings, std::chrono::milliseconds interval);
    const SourceStatus& status() const { return status_; }

  private:
    boost::asio::awaitable<std::chrono::milliseconds> cycle() override;
    void stopped() override { status_.state = SourceStatus::State::stopped; }
    std::chrono::milliseconds after(const CycleReport& r);

    queue::Queue& queue_;
    PollSettings settings_;
    std::chrono::milliseconds interval_;
    Backoff backoff_;
    SourceStatus status_;
    std::string last_refusal_;  // logged once until it changes or the path is protected
};

}  // namespace sekisho::chukan

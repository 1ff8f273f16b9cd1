#include "adapters/mynaportal/source.hpp"

#include <utility>

#include "common/log.hpp"
#include "common/time_format.hpp"

namespace sekisho::mynaportal {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

}  // namespace

std::string_view name(SourceStatus::State s) {
    switch (s) {
        case SourceStatus::State::starting:
            return "starting";
        case SourceStatus::State::polling:
            return "polling";
        case SourceStatus::State::backing_off:
            return "backing off";
        case SourceStatus::State::password_expired:
            return "stopped: password expired";
        case SourceStatus::State::stopped:
            return "stopped";
    }
    return "unknown";
}

Source::Source(boost::asio::any_io_executor executor, queue::Queue& q, PollSettings settings,
               std::chrono::milliseconds interval)
    : CycleLoop(executor, "Mynaportal source"),
      queue_(q),
      settings_(std::move(settings)),
      interval_(interval),
      backoff_(source_backoff(interval)) {}

void Source::reconfigure(PollSettings settings, std::chrono::milliseconds interval) {
    settings_ = std::move(settings);
    interval_ = interval;
    if (status_.state == SourceStatus::State::password_expired) {
        log::notice("configuration reloaded: Mynaportal polling resumes");
        backoff_.reset();
    }
    wake();  // the loop polls with the new settings
}

boost::asio::awaitable<std::chrono::milliseconds> Source::cycle() {
    status_.state = SourceStatus::State::polling;
    PollSettings settings = settings_;
    CycleReport r = co_await poll_once(queue_, std::move(settings));
    if (stopping())
        co_return std::chrono::milliseconds(0);
    ++status_.cycles;
    status_.filings_taken += r.taken;
    status_.fetch_failures += r.failed;
    status_.fetch_duration.merge(r.fetch_duration);
    status_.last_cycle = std::chrono::system_clock::now();
    warn_about_password(r);
    const auto wait = after(r);
    status_.last_report = std::move(r);
    co_return wait;
}

std::chrono::milliseconds Source::after(const CycleReport& r) {
    if (r.password_expired) {
        status_.state = SourceStatus::State::password_expired;
        log::error(
            "Mynaportal password expired: polling stops until it is changed "
            "(sekishoctl mynaportal change-password, or update the password credential "
            "and reload)");
        return std::chrono::hours(24 * 365);  // until reconfigure() wakes the loop
    }
    if (!r.ok()) {
        status_.state = SourceStatus::State::backing_off;
        const auto wait = backoff_.next(r.retry_after);
        log::warning("Mynaportal poll failed", {{"reason", r.error},
                                                {"retry_in_ms", wait.count()},
                                                {"failures", backoff_.failures()}});
        return wait;
    }
    backoff_.reset();
    log::info("Mynaportal poll done", {{"listed", r.listed},
                                       {"taken", r.taken},
                                       {"already_had", r.already_had},
                                       {"failed", r.failed},
                                       {"notices_sent", r.notices_sent}});
    return interval_;
}

// Warnings at 30 and 7 days, in the log once a day and in the status always.
void Source::warn_about_password(const CycleReport& r) {
    if (!r.password_expires_at_ms)
        return;
    const std::int64_t left_ms = *r.password_expires_at_ms - unix_ms_now();
    const std::int64_t days = left_ms <= 0 ? 0 : (left_ms + kDayMs - 1) / kDayMs;
    status_.password_days_left = days;
    const std::int64_t today = unix_ms_now() / kDayMs;
    if (days > 30 || last_warned_day_ == today)
        return;
    last_warned_day_ = today;
    log::Fields fields{{"days_left", days}};
    if (days <= 7) {
        log::error("Mynaportal password expires within 7 days: change it now", fields);
    } else {
        log::warning("Mynaportal password expires within 30 days", fields);
    }
}

}  // namespace sekisho::mynaportal

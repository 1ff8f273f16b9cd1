#include "adapters/mynaportal/source.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "common/log.hpp"
#include "common/time_format.hpp"

namespace sekisho::mynaportal {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::chrono::milliseconds kBackoffBase = 5s;
constexpr std::chrono::milliseconds kBackoffMax = 30min;

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
    : executor_(executor),
      queue_(q),
      settings_(std::move(settings)),
      interval_(interval),
      timer_(executor),
      backoff_(kBackoffBase, std::max(kBackoffBase, std::min(kBackoffMax, interval * 6))),
      alive_(std::make_shared<bool>(true)) {}

Source::~Source() {
    *alive_ = false;
}

void Source::start(std::function<void()> on_finished) {
    boost::asio::co_spawn(
        executor_, loop(),
        [alive = alive_, on_finished = std::move(on_finished)](std::exception_ptr e) {
            if (!*alive)
                return;
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::critical("Mynaportal source stopped by an unexpected error",
                                  {{"reason", ex.what()}});
                }
            }
            if (on_finished)
                on_finished();
        });
}

void Source::stop() {
    stopping_ = true;
    timer_.cancel();
}

void Source::reconfigure(PollSettings settings, std::chrono::milliseconds interval) {
    settings_ = std::move(settings);
    interval_ = interval;
    if (status_.state == SourceStatus::State::password_expired) {
        log::notice("configuration reloaded: Mynaportal polling resumes");
        backoff_.reset();
    }
    wake_ = in_cycle();  // a cancel would be lost while a cycle runs
    timer_.cancel();     // the loop wakes up and polls with the new settings
}

boost::asio::awaitable<void> Source::loop() {
    while (!stopping_) {
        status_.state = SourceStatus::State::polling;
        PollSettings settings = settings_;
        CycleReport r = co_await poll_once(queue_, std::move(settings));
        if (stopping_)
            break;
        ++status_.cycles;
        status_.filings_taken += r.taken;
        status_.fetch_failures += r.failed;
        status_.fetch_duration.merge(r.fetch_duration);
        status_.last_cycle = std::chrono::system_clock::now();
        warn_about_password(r);
        status_.last_report = r;
        timer_.expires_after(after(r));
        if (on_cycle_)
            on_cycle_();
        // A stop() or reconfigure() before the wait starts would cancel nothing.
        if (stopping_)
            break;
        if (std::exchange(wake_, false))
            continue;
        boost::system::error_code ec;
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    status_.state = SourceStatus::State::stopped;
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

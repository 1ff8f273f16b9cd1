#include "adapters/chukan/source.hpp"

#include <utility>

#include "common/log.hpp"

namespace sekisho::chukan {

std::string_view name(SourceStatus::State s) {
    switch (s) {
        case SourceStatus::State::starting:
            return "starting";
        case SourceStatus::State::polling:
            return "polling";
        case SourceStatus::State::backing_off:
            return "backing off";
        case SourceStatus::State::path_refused:
            return "not connecting: IPsec path not protected";
        case SourceStatus::State::stopped:
            return "stopped";
    }
    return "unknown";
}

Source::Source(boost::asio::any_io_executor executor, queue::Queue& q, PollSettings settings,
               std::chrono::milliseconds interval)
    : CycleLoop(executor, "chukan source"),
      queue_(q),
      settings_(std::move(settings)),
      interval_(interval),
      backoff_(source_backoff(interval)) {}

void Source::wake_for_upload() {
    if (status_.state == SourceStatus::State::backing_off ||
        status_.state == SourceStatus::State::path_refused)
        return;
    wake();
}

void Source::reconfigure(PollSettings settings, std::chrono::milliseconds interval) {
    settings_ = std::move(settings);
    interval_ = interval;
    wake();
}

boost::asio::awaitable<std::chrono::milliseconds> Source::cycle() {
    status_.state = SourceStatus::State::polling;
    PollSettings settings = settings_;
    CycleReport r = co_await poll_once(queue_, std::move(settings));
    if (stopping())
        co_return std::chrono::milliseconds(0);
    ++status_.cycles;
    status_.results_taken += r.taken;
    status_.fetch_failures += r.failed;
    status_.uploaded += r.uploaded;
    status_.fetch_duration.merge(r.fetch_duration);
    status_.last_cycle = std::chrono::system_clock::now();
    const auto wait = after(r);
    status_.last_report = std::move(r);
    co_return wait;
}

std::chrono::milliseconds Source::after(const CycleReport& r) {
    if (r.path_refused) {
        status_.state = SourceStatus::State::path_refused;
        ++status_.path_refusals;
        const auto wait = backoff_.next(std::nullopt);
        // Logged when it starts or changes, not every retry: the status always shows it.
        if (r.error != last_refusal_) {
            log::error("not connecting to the chukan server: the IPsec path is not protected",
                       {{"reason", r.error}, {"retry_in_ms", wait.count()}});
            last_refusal_ = r.error;
        }
        return wait;
    }
    if (!last_refusal_.empty()) {
        log::notice("the IPsec path to the chukan server is protected again");
        last_refusal_.clear();
    }
    if (!r.ok()) {
        status_.state = SourceStatus::State::backing_off;
        const auto wait = backoff_.next(r.retry_after);
        log::warning("chukan poll failed", {{"reason", r.error},
                                            {"retry_in_ms", wait.count()},
                                            {"failures", backoff_.failures()}});
        return wait;
    }
    backoff_.reset();
    log::info("chukan poll done", {{"listed", r.listed},
                                   {"taken", r.taken},
                                   {"already_had", r.already_had},
                                   {"failed", r.failed},
                                   {"uploaded", r.uploaded},
                                   {"statuses", r.statuses}});
    if (r.requests_open)
        return std::min(interval_, settings_.status_interval);
    return interval_;
}

}  // namespace sekisho::chukan

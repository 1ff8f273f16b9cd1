#include "daemon/daemon.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <stdexcept>

#include "common/log.hpp"
#include "common/metrics_file.hpp"
#include "common/version.hpp"
#include "config/validate.hpp"
#include "daemon/pipeline_stages.hpp"
#include "daemon/source_settings.hpp"

namespace sekisho::daemon {
namespace {

using namespace std::chrono_literals;
constexpr auto kMetricsInterval = 15s;
constexpr auto kRetentionInterval = 10min;
constexpr auto kShutdownGrace = 3s;
constexpr std::size_t kRawKeyBytes = 32;

// Keys that other state depends on: changing them needs a restart, so a reload that
// changes them is refused as a whole rather than half applied.
std::optional<std::string> restart_only_change(const config::Settings& a,
                                               const config::Settings& b) {
    if (a.daemon.state_dir != b.daemon.state_dir)
        return "daemon.state_dir";
    if (a.daemon.control_socket != b.daemon.control_socket)
        return "daemon.control_socket";
    if (a.daemon.user != b.daemon.user)
        return "daemon.user";
    if (a.keys.queue_key.text() != b.keys.queue_key.text())
        return "keys.queue_key";
    if (a.keys.audit_key.text() != b.keys.audit_key.text())
        return "keys.audit_key";
    return std::nullopt;
}

}  // namespace

Daemon::Daemon(config::Path config_file, config::Settings settings)
    : config_file_(std::move(config_file)),
      settings_(std::move(settings)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      watchdog_timer_(io_),
      metrics_timer_(io_),
      retention_timer_(io_),
      shutdown_timer_(io_) {}

void Daemon::open_queue() {
    const config::SecretRules rules{
        .owner = ::geteuid(), .max_size = kRawKeyBytes, .exact_size = kRawKeyBytes};
    queue_ = std::make_unique<queue::Queue>(
        queue::QueueOptions{settings_.daemon.state_dir, settings_.queue.min_free_space},
        config::load_secret(settings_.keys.queue_key, rules),
        config::load_secret(settings_.keys.audit_key, rules));
    const auto& r = queue_->recovery();
    log::notice("queue opened", {{"items", r.items},
                                 {"took_ms", r.took.count()},
                                 {"temporary_files_removed", r.temporary_files_removed},
                                 {"unreferenced_payloads_removed", r.unreferenced_payloads_removed},
                                 {"moved_to_corrupt", r.missing_or_damaged},
                                 {"purges_completed", r.purges_completed}});
    if (r.missing_or_damaged > 0) {
        log::error("items with a missing or damaged payload were moved to corrupt",
                   {{"count", r.missing_or_damaged}});
    }
}

void Daemon::apply_mynaportal(const config::Settings& s) {
    const auto interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(s.mynaportal.poll_interval);
    if (!s.mynaportal.enabled) {
        retire(std::move(mynaportal_));
        return;
    }
    auto poll = mynaportal_settings(s, cert_store_.get());
    if (mynaportal_) {
        mynaportal_->reconfigure(std::move(poll), interval);
        return;
    }
    mynaportal_ = std::make_unique<mynaportal::Source>(io_.get_executor(), *queue_, std::move(poll),
                                                       interval);
    mynaportal_->on_cycle([this] { after_cycle(); });
    mynaportal_->start([this] { source_finished(); });
    log::notice("Mynaportal source started", {{"base_url", s.mynaportal.base_url}});
}

void Daemon::apply_chukan(const config::Settings& s) {
    const auto interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(s.chukan.poll_interval);
    if (!s.chukan.enabled) {
        retire(std::move(chukan_));
        return;
    }
    auto poll = chukan_settings(s, cert_store_.get());
    if (poll.ipsec.mode == chukan::IpsecMode::off) {
        log::warning(
            "chukan.ipsec_check = \"off\": the IPsec path to the chukan server is NOT checked "
            "(for tests only; never on a gateway)");
    }
    if (chukan_) {
        chukan_->reconfigure(std::move(poll), interval);
        return;
    }
    chukan_ =
        std::make_unique<chukan::Source>(io_.get_executor(), *queue_, std::move(poll), interval);
    chukan_->on_cycle([this] { after_cycle(); });
    chukan_->start([this] { source_finished(); });
    log::notice("chukan source started",
                {{"base_url", s.chukan.base_url}, {"ipsec_check", s.chukan.ipsec_check}});
}

void Daemon::check_sources(const config::Settings& s) const {
    if (s.mynaportal.enabled)
        (void)mynaportal_settings(s, cert_store_.get());
    if (s.chukan.enabled)
        (void)chukan_settings(s, cert_store_.get());
}

void Daemon::retire(std::unique_ptr<CycleLoop> source) {
    if (!source)
        return;
    // A cycle in flight still runs on it: it is kept until its loop has ended.
    source->stop();
    retired_.push_back(std::move(source));
}

void Daemon::apply_source_of(const std::string& use) {
    if (use == "mynaportal-client")
        apply_mynaportal(settings_);
    if (use == "chukan-client")
        apply_chukan(settings_);
}

void Daemon::after_cycle() {
    if (pipeline_)
        pipeline_->wake();
    publish_metrics();
    notifier_.status(status_line());
}

bool Daemon::cycle_in_flight() const {
    const auto busy = [](const CycleLoop* s) { return s != nullptr && s->in_cycle(); };
    return busy(mynaportal_.get()) || busy(chukan_.get()) ||
           std::any_of(retired_.begin(), retired_.end(),
                       [&](const auto& s) { return busy(s.get()); });
}

void Daemon::source_finished() {
    // Runs after a loop's coroutine has completed: its object may go now.
    std::erase_if(retired_, [](const auto& s) { return s->finished(); });
    if (!cycle_in_flight())
        shutdown_timer_.cancel();
}

void Daemon::start_pipeline() {
    auto workers = make_workers(settings_);
    pipeline_ = std::make_unique<Pipeline>(*queue_, settings_.inspect, make_inspect_fn(workers),
                                           make_scan_fn(settings_.clamd));
    pipeline_->inspect_chukan_with(make_chukan_inspect_fn(workers));
    pipeline_->set_auto_release(settings_.release.auto_release);
    pipeline_->start();
}

void Daemon::apply_oneway(const config::Settings& s) {
    if (s.oneway.destination.empty()) {
        if (hand_over_)
            log::warning("oneway.destination is now empty: released items stay in the queue");
        hand_over_.reset();
        return;
    }
    if (hand_over_) {
        hand_over_->restart_sender();
        return;
    }
    hand_over_ = std::make_unique<HandOver>(*queue_, config_file_);
    hand_over_->start();
}

void Daemon::check_user() const {
    const auto uid = ::geteuid();
    const auto& configured = settings_.daemon.user;
    const auto expected = config::lookup_user(configured);
    if (!expected)
        throw std::runtime_error("daemon.user \"" + configured + "\" does not exist");
    if (*expected != uid) {
        throw std::runtime_error("sekishod runs as uid " + std::to_string(uid) +
                                 " but daemon.user \"" + configured + "\" is uid " +
                                 std::to_string(*expected) + "; refusing to start");
    }
}

int Daemon::run() {
    started_ = std::chrono::system_clock::now();
    try {
        check_user();
        state_lock_ = std::make_unique<StateLock>(settings_.daemon.state_dir);
        open_queue();
        start_pipeline();
        apply_oneway(settings_);
        cert_store_ = std::make_unique<certs::CertStore>(settings_.daemon.state_dir / "certs");
        apply_mynaportal(settings_);
        apply_chukan(settings_);
        start_control();
        queue_->record(queue::Actor::daemon(),
                       {"daemon started", std::nullopt, std::nullopt, {{"version", kVersion}}});
    } catch (const std::exception& e) {
        log::error("cannot start", {{"reason", e.what()}});
        stop_control();
        return kExitFailure;
    }
    if (settings_.oneway.destination.empty()) {
        log::warning("oneway.destination is not set: released items stay in the queue");
    }
    wait_for_signal();
    schedule_watchdog();
    run_retention();
    schedule_retention();
    watch_disk_space();
    publish_metrics();
    schedule_metrics();
    log::notice("sekishod started", {{"version", kVersion},
                                     {"config", config_file_},
                                     {"state_dir", settings_.daemon.state_dir}});
    notifier_.ready(status_line());
    io_.run();
    stop_control();
    try {
        queue_->record(queue::Actor::daemon(), {"daemon stopped", std::nullopt, std::nullopt, {}});
    } catch (const std::exception& e) {
        log::error("cannot record the stop in the audit log", {{"reason", e.what()}});
    }
    mynaportal_.reset();
    chukan_.reset();
    hand_over_.reset();
    // The item at hand is finished first: every step is one durable transition.
    if (pipeline_)
        pipeline_->stop();
    pipeline_.reset();
    queue_.reset();
    log::notice("sekishod stopped");
    return kExitOk;
}

void Daemon::wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec)
            return;
        on_signal(signo);
        if (!stopping_)
            wait_for_signal();
    });
}

void Daemon::on_signal(int signo) {
    if (signo == SIGHUP) {
        reload();
    } else {
        log::notice("stopping", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
        stop();
    }
}

void Daemon::reload() {
    notifier_.reloading();
    log::notice("reloading configuration", {{"config", config_file_}});
    auto result = config::load_settings(config_file_, config::Program::daemon);
    bool applied = false;
    if (!result.ok()) {
        for (const auto& p : result.errors)
            log::error("configuration error", {{"problem", p.str()}});
    } else if (const auto key = restart_only_change(settings_, *result.settings)) {
        log::error("configuration change needs a restart", {{"key", *key}});
    } else {
        try {
            // Certificates, keys, trust anchors and CRLs are loaded and checked before
            // anything changes.
            auto inspect_options = inspect::options_from_settings(
                result.settings->inspect, inspect::AuthMethod::certificate, 0);
            check_sources(*result.settings);
            apply_mynaportal(*result.settings);
            apply_chukan(*result.settings);
            pipeline_->reconfigure(std::move(inspect_options));
            pipeline_->set_auto_release(result.settings->release.auto_release);
            apply_oneway(*result.settings);
            applied = true;
        } catch (const std::exception& e) {
            log::error("cannot apply the new configuration", {{"reason", e.what()}});
        }
    }
    if (applied) {
        settings_ = std::move(*result.settings);
        log::set_threshold(settings_.daemon.log_level);
        queue_->set_min_free_bytes(settings_.queue.min_free_space);
        log::notice("configuration reloaded");
        ++reloads_ok_;
    } else {
        log::error("reload failed; the previous configuration stays in force");
        ++reloads_failed_;
    }
    last_reload_failed_ = !applied;
    publish_metrics();
    notifier_.ready(status_line());
}

void Daemon::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    closing_ = true;
    notifier_.stopping();
    signals_.cancel();
    watchdog_timer_.cancel();
    metrics_timer_.cancel();
    retention_timer_.cancel();
    // With the signal wait and the timers cancelled, the loop ends once the handlers
    // already queued have run; nothing is written half, because every file the daemon
    // writes is replaced atomically.
    publish_metrics();
    const bool in_flight = cycle_in_flight();
    if (mynaportal_)
        mynaportal_->stop();
    if (chukan_)
        chukan_->stop();
    if (!in_flight)
        return;
    // A poll cycle in flight may wait on the network for up to its timeout; stopping
    // abandons it, which loses nothing: an item is acknowledged to the service only
    // after its durable commit, so an unfinished one is fetched again next time.
    shutdown_timer_.expires_after(kShutdownGrace);
    shutdown_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            io_.stop();
    });
}

void Daemon::schedule_watchdog() {
    const auto interval = Notifier::watchdog_interval();
    if (!interval || stopping_)
        return;
    notifier_.watchdog();
    watchdog_timer_.expires_after(*interval);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            schedule_watchdog();
    });
}

void Daemon::schedule_metrics() {
    metrics_timer_.expires_after(kMetricsInterval);
    metrics_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_)
            return;
        watch_disk_space();
        check_certificates();
        expire_release_requests();
        publish_metrics();
        notifier_.status(status_line());
        schedule_metrics();
    });
}

void Daemon::schedule_retention() {
    retention_timer_.expires_after(kRetentionInterval);
    retention_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_)
            return;
        run_retention();
        schedule_retention();
    });
}

void Daemon::run_retention() {
    const auto& r = settings_.retention;
    try {
        std::int64_t total = 0;
        // Batches of a bounded size, so one sweep never holds the loop for long.
        for (std::int64_t n = 1; n > 0; total += n) {
            n = queue_->purge_expired({r.delivered, r.rejected, r.honnin},
                                      std::chrono::system_clock::now());
        }
        if (total > 0)
            log::notice("purged items past their retention", {{"count", total}});
    } catch (const std::exception& e) {
        log::error("retention sweep failed; retrying later", {{"reason", e.what()}});
    }
}

void Daemon::expire_release_requests() {
    try {
        if (const auto n = queue_->expire_release_requests(std::chrono::system_clock::now()))
            log::notice("release requests expired without approval", {{"count", n}});
    } catch (const std::exception& e) {
        log::error("cannot expire release requests; retrying later", {{"reason", e.what()}});
    }
}

void Daemon::watch_disk_space() {
    const bool accepting = queue_->accepting_new_items();
    if (accepting == accepting_)
        return;
    accepting_ = accepting;
    if (accepting) {
        log::notice("free space is above the floor again: new items are accepted");
    } else {
        log::warning("free space is below queue.min_free_space: new items are refused",
                     {{"free_bytes", queue_->free_bytes()},
                      {"floor_bytes", settings_.queue.min_free_space}});
    }
    notifier_.status(status_line());
}

std::string Daemon::chukan_status() const {
    if (!chukan_)
        return "";
    const auto& st = chukan_->status();
    std::string s = "; chukan: " + std::string(chukan::name(st.state));
    if (st.cycles > 0 && st.state != chukan::SourceStatus::State::path_refused) {
        s += st.last_report.ok() ? ", last poll ok" : ", last poll FAILED";
        s += ", " + std::to_string(st.results_taken) + " taken";
    }
    return s;
}

std::string Daemon::source_status() const {
    if (!mynaportal_)
        return chukan_status();
    const auto& st = mynaportal_->status();
    std::string s = "; mynaportal: " + std::string(mynaportal::name(st.state));
    if (st.cycles > 0) {
        s += st.last_report.ok() ? ", last poll ok" : ", last poll FAILED";
        s += ", " + std::to_string(st.filings_taken) + " taken";
    }
    if (st.password_days_left && *st.password_days_left <= 30) {
        s += ", password expires in " + std::to_string(*st.password_days_left) + " days";
    }
    return s + chukan_status();
}

std::string Daemon::status_line() const {
    std::string s = "running";
    if (!accepting_)
        s += "; DISK LOW, new items refused";
    if (last_reload_failed_)
        s += "; last reload FAILED, previous configuration in force";
    if (pipeline_) {
        const auto c = pipeline_->counters();
        if (!c.scanner_available)
            s += "; VIRUS SCANNER UNUSABLE (" + c.scanner_problem + "), items wait";
    }
    if (settings_.oneway.destination.empty())
        s += "; one-way destination not configured";
    for (const auto& c : cert_states_) {
        if (c.expiry == certs::Expiry::expired)
            s += "; " + c.use + " certificate EXPIRED";
        else if (c.expiry != certs::Expiry::ok)
            s += "; " + c.use + " certificate expires in " + std::to_string(c.days_left) + " days";
    }
    return s + source_status();
}

}  // namespace sekisho::daemon

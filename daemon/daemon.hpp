#pragma once
// sekishod's life: start-up checks, the event loop, reload on SIGHUP, graceful stop on
// SIGTERM/SIGINT, and the keep-alives and status the service manager expects.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/chukan/source.hpp"
#include "adapters/mynaportal/source.hpp"
#include "certs/cert_store.hpp"
#include "certs/expiry.hpp"
#include "common/metrics_file.hpp"
#include "config/load.hpp"
#include "daemon/control/daemon_view.hpp"
#include "daemon/control/server.hpp"
#include "daemon/control/service.hpp"
#include "daemon/hand_over.hpp"
#include "daemon/notify.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/state_lock.hpp"
#include "queue/queue.hpp"

namespace sekisho::daemon {

// Exit codes of sekishod.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// A client certificate in force, as last checked (for status, warnings and metrics).
struct CertificateState {
    std::string use;
    std::string origin;  // "configured FILE" or "rotated generation N"
    std::int64_t days_left = 0;
    std::int64_t not_after = 0;
    std::string sha256;
    certs::Expiry expiry = certs::Expiry::ok;
    std::string problem;  // the certificate could not be read
};

class Daemon : private control::DaemonView {
  public:
    Daemon(config::Path config_file, config::Settings settings);
    // Runs until SIGTERM/SIGINT; returns the process exit code.
    int run();

  private:
    void open_queue();
    // Starts, reconfigures or stops the Mynaportal source to match the settings; throws
    // (changing nothing) when its certificates or keys cannot be loaded.
    void apply_mynaportal(const config::Settings& s);
    // The same for the 中間サーバー source.
    void apply_chukan(const config::Settings& s);
    // Builds both sources' settings (certificates, keys, CA files) and throws when one
    // cannot be loaded: a reload changes nothing then.
    void check_sources(const config::Settings& s) const;
    // Stops a source that is switched off; kept until its loop has ended.
    void retire(std::unique_ptr<CycleLoop> source);
    // Re-applies the source that uses the client certificate `use`.
    void apply_source_of(const std::string& use);
    // A source's loop has ended: once none is in a cycle, a stop need not wait any longer.
    void source_finished();
    // A poll cycle of any source (also one switched off by a reload) is in flight.
    bool cycle_in_flight() const;
    void after_cycle();
    void start_pipeline();
    // Starts or stops the hand-over to match oneway.destination; a running one restarts
    // its sender so that it reads the new configuration.
    void apply_oneway(const config::Settings& s);
    void check_user() const;
    void wait_for_signal();
    void on_signal(int signo);
    void reload();
    void stop();
    void schedule_watchdog();
    void schedule_metrics();
    void schedule_retention();
    void run_retention();
    void watch_disk_space();
    void expire_release_requests();
    void publish_metrics();
    std::string status_line() const;
    std::string source_status() const;
    std::string chukan_status() const;
    void source_metrics(MetricsText& m) const;
    void chukan_metrics(MetricsText& m) const;
    void pipeline_metrics(MetricsText& m) const;
    void hand_over_metrics(MetricsText& m) const;
    void certificate_metrics(MetricsText& m) const;

    // The control socket (daemon_control.cpp). The DaemonView calls come from the control
    // server's threads and run on the event loop.
    void start_control();
    void stop_control();
    config::Settings settings() override;
    boost::json::object status() override;
    boost::json::array certificates() override;
    boost::json::object rotate_certificate(const control::CertRotation& r,
                                           const queue::Actor& actor) override;
    boost::json::object rollback_certificate(const std::string& use,
                                             const queue::Actor& actor) override;
    void items_changed() override;
    template <class F>
    auto on_loop(F f) -> decltype(f());
    boost::json::object status_on_loop() const;
    boost::json::object chukan_status_json() const;
    boost::json::object apply_rotation(const control::CertRotation& r, const queue::Actor& actor);
    boost::json::object apply_rollback(const std::string& use, const queue::Actor& actor);
    // Makes the store's current certificate of `use` the one in force and audits it; on
    // any failure puts the previous one back and rethrows.
    void switch_certificate(const std::string& use, const queue::Actor& actor,
                            const std::string& action, queue::Details details);
    // Reads the client certificates in force; warns once per use when one enters the 30-
    // or 7-day window or expires.
    void check_certificates();
    std::vector<std::string> warnings() const;

    config::Path config_file_;
    config::Settings settings_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer watchdog_timer_;
    boost::asio::steady_timer metrics_timer_;
    boost::asio::steady_timer retention_timer_;
    boost::asio::steady_timer shutdown_timer_;
    Notifier notifier_;
    std::unique_ptr<StateLock> state_lock_;
    std::unique_ptr<queue::Queue> queue_;
    std::unique_ptr<mynaportal::Source> mynaportal_;
    std::unique_ptr<chukan::Source> chukan_;
    std::vector<std::unique_ptr<CycleLoop>> retired_;
    std::unique_ptr<Pipeline> pipeline_;
    std::unique_ptr<HandOver> hand_over_;
    std::unique_ptr<certs::CertStore> cert_store_;
    std::vector<CertificateState> cert_states_;
    std::unique_ptr<control::ControlService> control_service_;
    std::unique_ptr<control::ControlServer> control_server_;
    std::atomic<bool> closing_{false};  // control requests waiting for the loop give up
    bool accepting_ = true;
    std::chrono::system_clock::time_point started_;
    std::uint64_t reloads_ok_ = 0;
    std::uint64_t reloads_failed_ = 0;
    bool last_reload_failed_ = false;
    bool stopping_ = false;
};

}  // namespace sekisho::daemon

#pragma once
// sekishod's life: start-up checks, the event loop, reload on SIGHUP, graceful stop on
// SIGTERM/SIGINT, and the keep-alives and status the service manager expects.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "adapters/mynaportal/source.hpp"
#include "common/metrics_file.hpp"
#include "config/load.hpp"
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

class Daemon {
  public:
    Daemon(config::Path config_file, config::Settings settings);
    // Runs until SIGTERM/SIGINT; returns the process exit code.
    int run();

  private:
    void open_queue();
    // Starts, reconfigures or stops the Mynaportal source to match the settings; throws
    // (changing nothing) when its certificates or keys cannot be loaded.
    void apply_mynaportal(const config::Settings& s);
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
    void publish_metrics();
    std::string status_line() const;
    std::string source_status() const;
    void source_metrics(MetricsText& m) const;
    void pipeline_metrics(MetricsText& m) const;
    void hand_over_metrics(MetricsText& m) const;

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
    std::unique_ptr<Pipeline> pipeline_;
    std::unique_ptr<HandOver> hand_over_;
    bool accepting_ = true;
    std::chrono::system_clock::time_point started_;
    std::uint64_t reloads_ok_ = 0;
    std::uint64_t reloads_failed_ = 0;
    bool last_reload_failed_ = false;
    bool stopping_ = false;
};

}  // namespace sekisho::daemon

// sekisho-recv: the one-way receiver on the core side (PROTOCOL.md). It receives,
// authenticates, reassembles and verifies transfers and delivers them to the inbox; it
// never sends anything.

#include <systemd/sd-daemon.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>

#include "adapters/oneway/receiver.hpp"
#include "adapters/oneway/receiver_metrics.hpp"
#include "adapters/oneway/udp_receive.hpp"
#include "common/log.hpp"
#include "common/version.hpp"
#include "config/check.hpp"

using namespace sekisho;

namespace {

constexpr char kName[] = "sekisho-recv";
std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void on_signal(int signo) {
    if (signo == SIGHUP)
        g_reload = true;
    else
        g_stop = true;
}

void install_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;  // no SA_RESTART: poll returns and the loop sees the flag
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGHUP, &sa, nullptr);
}

// SIGHUP (systemctl reload): the log level changes at once; the socket, directories,
// limits and key are those of the start, and a change to them is said to need a restart.
void reload(const std::string& file, const config::Settings& running) {
    const auto result = config::load_settings(file, config::Program::receiver);
    if (!result.ok()) {
        for (const auto& p : result.errors)
            log::error("configuration error", {{"problem", p.str()}});
        log::error("reload failed; the running configuration stays in force");
        return;
    }
    const auto& s = *result.settings;
    log::set_threshold(s.daemon.log_level);
    const auto& a = running.receiver;
    const auto& b = s.receiver;
    if (a.listen != b.listen || a.inbox_dir != b.inbox_dir || a.state_dir != b.state_dir ||
        a.max_transfer != b.max_transfer || a.max_buffered != b.max_buffered ||
        a.socket_buffer != b.socket_buffer || a.metrics_file != b.metrics_file ||
        running.keys.oneway_key.text() != s.keys.oneway_key.text())
        log::warning("reloaded the log level only: the other changes need a restart");
    else
        log::notice("configuration reloaded");
}

void publish(const config::Settings& s, const oneway::Receiver& r) {
    if (s.receiver.metrics_file.empty())
        return;
    try {
        publish_metrics(s.receiver.metrics_file, oneway::receiver_metrics(r.counters()));
    } catch (const std::exception& e) {
        log::warning("metrics file not written", {{"reason", e.what()}});
    }
}

int serve(const std::string& file, const config::Settings& s) {
    const config::SecretRules rules{.owner = ::geteuid(), .max_size = 32, .exact_size = 32};
    oneway::Receiver receiver(config::load_secret(s.keys.oneway_key, rules),
                              {.inbox_dir = s.receiver.inbox_dir,
                               .state_dir = s.receiver.state_dir,
                               .max_transfer = s.receiver.max_transfer,
                               .max_buffered = s.receiver.max_buffered});
    oneway::UdpReceiveSocket socket(s.receiver.listen, s.receiver.socket_buffer);
    install_signals();
    log::notice("receiving", {{"listen", s.receiver.listen},
                              {"inbox", s.receiver.inbox_dir},
                              {"socket_buffer", socket.buffer_bytes()}});
    sd_notify(0, "READY=1\nSTATUS=receiving");
    using Clock = oneway::Receiver::Clock;
    auto next_tick = Clock::now();
    auto next_metrics = Clock::now();
    while (!g_stop) {
        if (g_reload.exchange(false))
            reload(file, s);
        socket.receive(std::chrono::milliseconds(100), [&](oneway::ByteView d) {
            try {
                receiver.handle(d, Clock::now());
            } catch (const std::exception& e) {
                // One datagram's trouble (its transfer is named lost where it can be) must
                // not end the receiver and with it every transfer in progress.
                log::error("one-way datagram could not be handled", {{"reason", e.what()}});
            }
        });
        const auto now = Clock::now();
        if (now >= next_tick) {
            receiver.tick(now);
            next_tick = now + std::chrono::milliseconds(100);
        }
        if (now >= next_metrics) {
            publish(s, receiver);
            sd_notify(0, "WATCHDOG=1");
            next_metrics = now + std::chrono::seconds(1);
        }
    }
    sd_notify(0, "STOPPING=1");
    publish(s, receiver);
    const auto c = receiver.counters();
    log::notice("stopped", {{"delivered", c.delivered},
                            {"lost", c.lost_transfers},
                            {"corrupt", c.corrupt_transfers},
                            {"auth_failures", c.auth_failures},
                            {"replays", c.replays}});
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    boost::program_options::options_description opts(
        "Usage: sekisho-recv [-c FILE] [--check-config]");
    boost::program_options::variables_map vm;
    if (const auto done = config::parse_command_line(argc, argv, kName,
                                                     "/etc/sekisho/sekisho-recv.toml", opts, vm))
        return *done;
    const auto result =
        config::load_settings(vm["config"].as<std::string>(), config::Program::receiver);
    if (vm.count("check-config"))
        return config::report_check(result);
    log::init(kName);
    if (!result.ok()) {
        for (const auto& p : result.errors)
            log::error("configuration error", {{"problem", p.str()}});
        log::critical("cannot start: the configuration has errors");
        return 1;
    }
    log::set_threshold(result.settings->daemon.log_level);
    try {
        return serve(vm["config"].as<std::string>(), *result.settings);
    } catch (const std::exception& e) {
        log::critical("receiver stopped on an error", {{"reason", e.what()}});
        return 1;
    }
}

#include "daemon/notify.hpp"

#include <systemd/sd-daemon.h>

#include <ctime>
#include <string>

#include "common/log.hpp"
#include "common/redact.hpp"

namespace sekisho::daemon {
namespace {

std::uint64_t monotonic_usec() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

void Notifier::send(std::string_view message) {
    const int rc = sd_notify(0, std::string(message).c_str());
    if (rc < 0)
        log::warning("sd_notify failed", {{"errno", -rc}});
}

void Notifier::ready(std::string_view status) {
    send("READY=1\nSTATUS=" + redact(status));
}

void Notifier::status(std::string_view status) {
    send("STATUS=" + redact(status));
}

// MONOTONIC_USEC lets newer managers (Type=notify-reload) match the reload to its end.
void Notifier::reloading() {
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

void Notifier::stopping() {
    send("STOPPING=1");
}

void Notifier::watchdog() {
    send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> Notifier::watchdog_interval() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

}  // namespace sekisho::daemon

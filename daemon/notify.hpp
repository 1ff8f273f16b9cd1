#pragma once
// The service manager protocol (sd_notify) as the daemon uses it. Without
// NOTIFY_SOCKET every call is a no-op, so the daemon runs the same outside systemd.

#include <chrono>
#include <optional>
#include <string_view>

namespace sekisho::daemon {

class Notifier {
  public:
    void ready(std::string_view status);
    void status(std::string_view status);
    void reloading();
    void stopping();
    void watchdog();
    // Half of WATCHDOG_USEC when the manager expects keep-alives from this process.
    static std::optional<std::chrono::microseconds> watchdog_interval();

  private:
    void send(std::string_view message);
};

}  // namespace sekisho::daemon

#pragma once
// The site-specific part of sekishod.service that the static unit cannot know: which
// peer addresses the daemon may reach (IPAddressAllow=) and which optional credentials
// to load. Printed by `sekishod -c FILE --print-systemd-dropin`.

#include <string>

#include "config/settings.hpp"

namespace sekisho::daemon {

// Throws std::runtime_error when a peer host cannot be resolved to addresses.
std::string systemd_dropin(const config::Settings& settings);

}  // namespace sekisho::daemon

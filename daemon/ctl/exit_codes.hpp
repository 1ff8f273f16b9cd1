#pragma once
// sekishoctl's exit codes (DESIGN.md) and where it looks for the configuration.

namespace sekisho::ctl {

inline constexpr int kExitOk = 0;        // done (inspect: accepted)
inline constexpr int kExitFailure = 1;   // refused or failed
inline constexpr int kExitUsage = 2;     // usage error
inline constexpr int kExitRejected = 3;  // inspect: the package was rejected
inline constexpr const char* kDefaultConfig = "/etc/sekisho/sekishod.toml";

}  // namespace sekisho::ctl

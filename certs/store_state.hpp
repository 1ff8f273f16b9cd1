#pragma once
// Internal to certs/: the per-use state file of the certificate store, a few key=value
// lines. Not part of the interface.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::certs::detail {

inline constexpr std::size_t kMaxStateFile = 4096;

struct StoreState {
    std::int64_t current = 0;  // 0: the configured files
    std::int64_t current_installed_at = 0;
    std::optional<std::int64_t> previous;
    std::int64_t previous_installed_at = 0;
    std::int64_t changed_at = 0;  // last install or rollback

    // The generation a new install gets: above every generation the state names, so a
    // number is never reused for a different certificate.
    std::int64_t next_generation() const;
};

std::string format_state(const StoreState& s);

// Throws std::runtime_error naming `where` (the state file) when `text` is not a state
// written by format_state.
StoreState parse_state(std::string_view text, const std::filesystem::path& where);

}  // namespace sekisho::certs::detail

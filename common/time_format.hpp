#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho {

// "2026-11-24T00:00:12.345Z" for milliseconds since the Unix epoch.
std::string rfc3339_utc(std::int64_t unix_ms);

// Milliseconds since the Unix epoch for an RFC 3339 date-time with a time zone
// ("2027-01-31T00:00:00+09:00", "…Z", optional fraction); nullopt for anything else.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

inline std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline std::int64_t unix_ms_now() {
    return unix_ms(std::chrono::system_clock::now());
}

}  // namespace sekisho

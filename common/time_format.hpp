#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sekisho {

// "2026-11-24T00:00:12.345Z" for milliseconds since the Unix epoch.
std::string rfc3339_utc(std::int64_t unix_ms);

inline std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline std::int64_t unix_ms_now() {
    return unix_ms(std::chrono::system_clock::now());
}

}  // namespace sekisho

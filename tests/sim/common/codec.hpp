#pragma once
// Digests, encodings and RFC 3339 times the simulators need on the wire and in their records.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::sim {

using TimePoint = std::chrono::system_clock::time_point;

// Raw 32-byte SHA-256 of `data`.
std::string sha256(std::string_view data);
std::string hex(std::string_view bytes);
std::string base64(std::string_view bytes);
// `n` random bytes as unpadded base64url, for opaque tokens and ids.
std::string random_token(std::size_t n);

// "2026-11-24T08:59:12+09:00": Mynaportal and the 中間サーバー are Japanese services, so
// times they hand out carry the JST offset.
std::string format_rfc3339_jst(TimePoint t);
// Any RFC 3339 date-time ("Z" or a numeric offset, optional fraction).
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace sekisho::sim

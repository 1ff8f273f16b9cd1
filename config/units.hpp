#pragma once
// Durations ("500ms", "90s", "5m", "2h", "7d", "1h30m"), sizes ("10MiB", "4.5MB", "512B")
// and bit rates ("100Mbit", "1Gbit/s") as written in the configuration file.
// Parsers return std::nullopt together with a reason instead of guessing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::config {

using Duration = std::chrono::milliseconds;

template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string error;  // why it failed, when value is empty
};

Parsed<Duration> parse_duration(std::string_view text);
Parsed<std::uint64_t> parse_size(std::string_view text);
Parsed<std::uint64_t> parse_rate_bits_per_second(std::string_view text);

std::string format_duration(Duration d);

}  // namespace sekisho::config

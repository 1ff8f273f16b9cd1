#include "config/units.hpp"

#include <array>
#include <limits>

namespace sekisho::config {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();

struct Unit {
    std::string_view name;
    std::uint64_t factor;
};

constexpr std::array<Unit, 6> kDurationUnits{{
    {"ms", 1},
    {"s", 1000},
    {"m", 60'000},
    {"h", 3'600'000},
    {"d", 86'400'000},
    {"w", 604'800'000},
}};

constexpr std::array<Unit, 8> kSizeUnits{{
    {"B", 1},
    {"KB", 1000},
    {"MB", 1000 * 1000},
    {"GB", 1000ull * 1000 * 1000},
    {"KiB", 1024},
    {"MiB", 1024 * 1024},
    {"GiB", 1024ull * 1024 * 1024},
    {"TiB", 1024ull * 1024 * 1024 * 1024},
}};

constexpr std::array<Unit, 4> kRateUnits{{
    {"bit", 1},
    {"kbit", 1000},
    {"Mbit", 1000 * 1000},
    {"Gbit", 1000ull * 1000 * 1000},
}};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads digits at the front of `s`; false on overflow or when there are none.
bool take_integer(std::string_view& s, std::uint64_t& out) {
    if (s.empty() || !is_digit(s.front()))
        return false;
    out = 0;
    while (!s.empty() && is_digit(s.front())) {
        const std::uint64_t d = static_cast<std::uint64_t>(s.front() - '0');
        if (out > (kMax - d) / 10)
            return false;
        out = out * 10 + d;
        s.remove_prefix(1);
    }
    return true;
}

template <std::size_t N>
const Unit* find_unit(std::string_view name, const std::array<Unit, N>& units) {
    for (const auto& u : units) {
        if (u.name == name)
            return &u;
    }
    return nullptr;
}

template <std::size_t N>
std::string unit_list(const std::array<Unit, N>& units) {
    std::string out;
    for (const auto& u : units) {
        if (!out.empty())
            out += ", ";
        out += u.name;
    }
    return out;
}

// "<int>[.<frac>]<unit>" with the result required to be a whole number of base units.
template <std::size_t N>
Parsed<std::uint64_t> parse_scaled(std::string_view text, const std::array<Unit, N>& units,
                                   std::string_view what, std::string_view example) {
    const std::string bad = "not a " + std::string(what) + " (write e.g. \"" +
                            std::string(example) + "\"; units: " + unit_list(units) + ")";
    std::string_view s = text;
    std::uint64_t whole = 0;
    if (!take_integer(s, whole))
        return {std::nullopt, bad};
    std::uint64_t frac = 0;
    std::uint64_t frac_scale = 1;
    if (!s.empty() && s.front() == '.') {
        s.remove_prefix(1);
        const std::size_t before = s.size();
        if (!take_integer(s, frac) || before - s.size() > 9)
            return {std::nullopt, bad};
        for (std::size_t i = 0; i < before - s.size(); ++i)
            frac_scale *= 10;
    }
    const Unit* unit = find_unit(s, units);
    if (unit == nullptr)
        return {std::nullopt, bad};
    if (whole > kMax / unit->factor)
        return {std::nullopt, std::string(what) + " too large"};
    const std::uint64_t scaled_frac = frac * unit->factor;
    if (frac != 0 && (scaled_frac / unit->factor != frac || scaled_frac % frac_scale != 0)) {
        return {std::nullopt, std::string(what) + " is not a whole number of base units"};
    }
    return {whole * unit->factor + scaled_frac / frac_scale, {}};
}

}  // namespace

Parsed<Duration> parse_duration(std::string_view text) {
    const std::string bad =
        "not a duration (write e.g. \"90s\", \"5m\", \"7d\" or \"1h30m\"; "
        "units: " +
        unit_list(kDurationUnits) + ")";
    if (text.empty())
        return {std::nullopt, bad};
    std::string_view s = text;
    std::uint64_t total = 0;
    while (!s.empty()) {
        std::uint64_t n = 0;
        if (!take_integer(s, n))
            return {std::nullopt, bad};
        std::size_t len = 0;
        while (len < s.size() && !is_digit(s[len]))
            ++len;
        const Unit* unit = find_unit(s.substr(0, len), kDurationUnits);
        if (unit == nullptr)
            return {std::nullopt, bad};
        s.remove_prefix(len);
        if (n > (kMax - total) / unit->factor)
            return {std::nullopt, "duration too large"};
        total += n * unit->factor;
    }
    return {Duration(static_cast<Duration::rep>(total)), {}};
}

Parsed<std::uint64_t> parse_size(std::string_view text) {
    return parse_scaled(text, kSizeUnits, "size", "10MiB");
}

Parsed<std::uint64_t> parse_rate_bits_per_second(std::string_view text) {
    if (text.ends_with("/s"))
        text.remove_suffix(2);
    return parse_scaled(text, kRateUnits, "rate", "100Mbit");
}

std::string format_duration(Duration d) {
    auto ms = static_cast<std::uint64_t>(d.count());
    if (ms == 0)
        return "0s";
    std::string out;
    for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
        if (it->name == "w")
            continue;  // days read better than weeks in messages
        if (ms >= it->factor) {
            out += std::to_string(ms / it->factor) + std::string(it->name);
            ms %= it->factor;
        }
    }
    return out;
}

}  // namespace sekisho::config

#include "certs/store_state.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>

namespace sekisho::certs::detail {
namespace {

constexpr std::string_view kHeader = "# sekisho certificate store state, version 1; do not edit";

[[noreturn]] void damaged(const std::filesystem::path& where, const std::string& why) {
    throw std::runtime_error("certificate store state " + where.string() + " is damaged: " + why);
}

// A key as it may be quoted in a message: the file may be damaged in any way, and its bytes
// must not reach a log unfiltered.
std::string shown(std::string_view key) {
    const bool plain = !key.empty() && key.size() <= 32 &&
                       std::all_of(key.begin(), key.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    return plain ? std::string(key) : std::string("(unreadable key)");
}

std::map<std::string, std::int64_t, std::less<>> read_pairs(std::string_view text,
                                                            const std::filesystem::path& where) {
    std::map<std::string, std::int64_t, std::less<>> pairs;
    while (!text.empty()) {
        const auto end = text.find('\n');
        if (end == std::string_view::npos)
            damaged(where, "the last line is incomplete");
        const std::string_view line = text.substr(0, end);
        text.remove_prefix(end + 1);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            damaged(where, "a line is not key=value");
        const std::string_view value = line.substr(eq + 1);
        std::int64_t n = -1;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || ptr != value.data() + value.size() || n < 0)
            damaged(where, "the value of " + shown(line.substr(0, eq)) + " is not a number");
        if (!pairs.emplace(std::string(line.substr(0, eq)), n).second)
            damaged(where, shown(line.substr(0, eq)) + " appears twice");
    }
    return pairs;
}

std::int64_t take(std::map<std::string, std::int64_t, std::less<>>& pairs, std::string_view key,
                  const std::filesystem::path& where) {
    const auto it = pairs.find(key);
    if (it == pairs.end())
        damaged(where, "no " + std::string(key));
    const auto value = it->second;
    pairs.erase(it);
    return value;
}

}  // namespace

std::int64_t StoreState::next_generation() const {
    return std::max(current, previous.value_or(0)) + 1;
}

std::string format_state(const StoreState& s) {
    std::string out(kHeader);
    out += "\ncurrent=" + std::to_string(s.current) + "\n";
    out += "current_installed_at=" + std::to_string(s.current_installed_at) + "\n";
    if (s.previous) {
        out += "previous=" + std::to_string(*s.previous) + "\n";
        out += "previous_installed_at=" + std::to_string(s.previous_installed_at) + "\n";
    }
    out += "changed_at=" + std::to_string(s.changed_at) + "\n";
    return out;
}

StoreState parse_state(std::string_view text, const std::filesystem::path& where) {
    if (!text.starts_with(kHeader) || text.substr(kHeader.size(), 1) != "\n")
        damaged(where, "the first line is not the state header");
    auto pairs = read_pairs(text.substr(kHeader.size() + 1), where);
    StoreState s;
    s.current = take(pairs, "current", where);
    s.current_installed_at = take(pairs, "current_installed_at", where);
    s.changed_at = take(pairs, "changed_at", where);
    if (pairs.contains("previous")) {
        s.previous = take(pairs, "previous", where);
        s.previous_installed_at = take(pairs, "previous_installed_at", where);
    }
    if (!pairs.empty())
        damaged(where, "unknown key " + shown(pairs.begin()->first));
    if (s.previous && *s.previous == s.current)
        damaged(where, "current and previous are the same generation");
    return s;
}

}  // namespace sekisho::certs::detail

#include "adapters/clamd/reply.hpp"

#include <array>
#include <charconv>
#include <ctime>
#include <vector>

namespace sekisho::clamd {
namespace {

constexpr std::string_view kStreamPrefix = "stream: ";
constexpr std::string_view kFoundSuffix = " FOUND";
constexpr std::string_view kSizeLimit = "INSTREAM size limit exceeded. ERROR";

constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::vector<std::string_view> split_spaces(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto start = text.find_first_not_of(' ');
        if (start == std::string_view::npos)
            break;
        text.remove_prefix(start);
        const auto end = std::min(text.find(' '), text.size());
        out.push_back(text.substr(0, end));
        text.remove_prefix(end);
    }
    return out;
}

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

template <std::size_t N>
std::optional<int> index_of(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == name)
            return static_cast<int>(i);
    }
    return std::nullopt;
}

// "08:00:00" → hour, minute, second.
bool parse_clock(std::string_view text, std::tm& tm) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':')
        return false;
    const auto h = number<int>(text.substr(0, 2));
    const auto m = number<int>(text.substr(3, 2));
    const auto s = number<int>(text.substr(6, 2));
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60)
        return false;
    tm.tm_hour = *h;
    tm.tm_min = *m;
    tm.tm_sec = *s;
    return true;
}

}  // namespace

std::string printable(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, kMaxShownText))
        out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    if (text.size() > kMaxShownText)
        out += "...";
    return out;
}

StreamReply parse_stream_reply(std::string_view reply) {
    if (reply == "stream: OK")
        return {StreamReply::Kind::clean, {}};
    if (reply == kSizeLimit)
        return {StreamReply::Kind::size_limit, printable(reply)};
    if (reply.starts_with(kStreamPrefix) && reply.ends_with(kFoundSuffix) &&
        reply.size() > kStreamPrefix.size() + kFoundSuffix.size()) {
        const auto name = reply.substr(kStreamPrefix.size(),
                                       reply.size() - kStreamPrefix.size() - kFoundSuffix.size());
        if (name.find_first_not_of(' ') != std::string_view::npos)
            return {StreamReply::Kind::found, printable(name)};
    }
    return {StreamReply::Kind::error, printable(reply)};
}

std::optional<std::chrono::system_clock::time_point> parse_ctime(std::string_view text) {
    const auto fields = split_spaces(text);
    if (fields.size() != 5 || !index_of(kWeekdays, fields[0]))
        return std::nullopt;
    const auto month = index_of(kMonths, fields[1]);
    const auto day = number<int>(fields[2]);
    const auto year = number<int>(fields[4]);
    std::tm tm{};
    if (!month || !day || *day < 1 || *day > 31 || !year || *year < 1970 || *year > 9999 ||
        !parse_clock(fields[3], tm)) {
        return std::nullopt;
    }
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month;
    tm.tm_mday = *day;
    tm.tm_isdst = -1;
    const std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1))
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(t);
}

std::optional<VersionInfo> parse_version(std::string_view reply) {
    constexpr std::string_view kPrefix = "ClamAV ";
    if (!reply.starts_with(kPrefix))
        return std::nullopt;
    reply.remove_prefix(kPrefix.size());
    const auto slash = reply.find('/');
    VersionInfo v;
    v.engine = std::string(reply.substr(0, slash));
    if (v.engine.empty() || v.engine.size() > 32 ||
        v.engine.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_+~") != std::string::npos) {
        return std::nullopt;
    }
    if (slash == std::string_view::npos)
        return v;
    const auto rest = reply.substr(slash + 1);
    const auto second = rest.find('/');
    if (second == std::string_view::npos)
        return std::nullopt;
    v.database = number<unsigned>(rest.substr(0, second));
    v.database_time = parse_ctime(rest.substr(second + 1));
    if (!v.database || !v.database_time)
        return std::nullopt;
    return v;
}

}  // namespace sekisho::clamd

#include "tests/sim/common/codec.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ctime>
#include <stdexcept>

namespace sekisho::sim {
namespace {

constexpr auto kJstOffset = std::chrono::hours(9);

// Reads exactly `width` decimal digits at `pos`; nullopt otherwise.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t width) {
    if (pos + width > s.size())
        return std::nullopt;
    int value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return std::nullopt;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

bool expect_char(std::string_view s, std::size_t pos, std::string_view allowed) {
    return pos < s.size() && allowed.find(s[pos]) != std::string_view::npos;
}

// The offset part ("Z", "+09:00") starting at pos, in seconds east of UTC.
std::optional<long> parse_offset(std::string_view s, std::size_t pos) {
    if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z'))
        return 0L;
    if (pos + 6 != s.size() || !expect_char(s, pos, "+-") || s[pos + 3] != ':')
        return std::nullopt;
    const auto h = digits(s, pos + 1, 2);
    const auto m = digits(s, pos + 4, 2);
    if (!h || !m || *h > 23 || *m > 59)
        return std::nullopt;
    const long seconds = *h * 3600L + *m * 60L;
    return s[pos] == '-' ? -seconds : seconds;
}

}  // namespace

std::string sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return std::string(reinterpret_cast<const char*>(md), len);
}

std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += kDigits[b >> 4];
        out += kDigits[b & 0x0f];
    }
    return out;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string random_token(std::size_t n) {
    std::string raw(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    std::string out = base64(raw);
    for (auto& c : out) {
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
    }
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    return out;
}

std::string format_rfc3339_jst(TimePoint t) {
    const auto shifted = std::chrono::floor<std::chrono::seconds>(t) + kJstOffset;
    const std::time_t tt = std::chrono::system_clock::to_time_t(shifted);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+09:00", &tm);
    return buf;
}

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
    const auto year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
    const auto hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || !expect_char(s, 4, "-") ||
        !expect_char(s, 7, "-") || !expect_char(s, 10, "Tt") || !expect_char(s, 13, ":") ||
        !expect_char(s, 16, ":"))
        return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
        *second > 60)
        return std::nullopt;
    std::size_t pos = 19;
    long long nanos = 0;
    if (pos < s.size() && s[pos] == '.') {
        long long scale = 100'000'000;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, scale /= 10)
            nanos += (s[pos] - '0') * scale;
    }
    const auto offset = parse_offset(s, pos);
    if (!offset)
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    const std::time_t utc = timegm(&tm) - *offset;
    return std::chrono::time_point_cast<TimePoint::duration>(
        std::chrono::system_clock::from_time_t(utc) + std::chrono::nanoseconds(nanos));
}

}  // namespace sekisho::sim

#include "common/redact.hpp"

#include <cstdio>

namespace sekisho {
namespace {

// A 個人番号 has exactly 12 digits. Longer runs are identifiers of the services
// (arrive_id has 15 digits) or counters, which the logs must keep to be useful.
constexpr std::size_t kMyNumberDigits = 12;
// A SHA-256 or other digest in hex is not personal data, but it can hold a run of 12
// digits by chance; hex tokens at least this long are left alone.
constexpr std::size_t kMinDigestHexLength = 32;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_non_ascii(char c) {
    return static_cast<unsigned char>(c) >= 0x80;
}

// Length of the digit run starting at i, allowing single spaces or hyphens between
// digits ("1234 5678 9018", "1234-5678-9018"). Returns the end index and digit count.
std::pair<std::size_t, std::size_t> digit_run(std::string_view s, std::size_t i) {
    std::size_t end = i;
    std::size_t digits = 0;
    while (end < s.size()) {
        if (is_digit(s[end])) {
            ++digits;
            ++end;
        } else if ((s[end] == ' ' || s[end] == '-') && end + 1 < s.size() && is_digit(s[end + 1])) {
            ++end;
        } else {
            break;
        }
    }
    return {end, digits};
}

bool inside_long_hex_token(std::string_view s, std::size_t begin, std::size_t end) {
    std::size_t lo = begin;
    while (lo > 0 && is_hex(s[lo - 1]))
        --lo;
    std::size_t hi = end;
    while (hi < s.size() && is_hex(s[hi]))
        ++hi;
    for (std::size_t k = begin; k < end; ++k) {
        if (!is_hex(s[k]))
            return false;  // a separated run is not one hex token
    }
    return hi - lo >= kMinDigestHexLength;
}

// Our own ids are UUIDs (8-4-4-4-12 hex); their digits may add up to 12 across the
// hyphens by chance, and an id the operator cannot find in the log is no use.
bool inside_uuid(std::string_view s, std::size_t begin, std::size_t end) {
    std::size_t lo = begin;
    while (lo > 0 && (is_hex(s[lo - 1]) || s[lo - 1] == '-'))
        --lo;
    std::size_t hi = end;
    while (hi < s.size() && (is_hex(s[hi]) || s[hi] == '-'))
        ++hi;
    constexpr std::size_t kUuidLength = 36;
    if (hi - lo != kUuidLength)
        return false;
    for (std::size_t k = 0; k < kUuidLength; ++k) {
        const bool hyphen = k == 8 || k == 13 || k == 18 || k == 23;
        if (hyphen != (s[lo + k] == '-'))
            return false;
    }
    return true;
}

void append_escaped(std::string& out, char c) {
    switch (c) {
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        default: {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
            out += buf;
        }
    }
}

}  // namespace

std::string redact(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (is_non_ascii(c)) {
            while (i < text.size() && is_non_ascii(text[i]))
                ++i;
            out += kRedactedText;
        } else if (is_digit(c)) {
            const auto [end, digits] = digit_run(text, i);
            if (digits == kMyNumberDigits && !inside_long_hex_token(text, i, end) &&
                !inside_uuid(text, i, end)) {
                out += kRedactedNumber;
            } else {
                out.append(text.substr(i, end - i));
            }
            i = end;
        } else {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                append_escaped(out, c);
            } else {
                out += c;
            }
            ++i;
        }
    }
    return out;
}

}  // namespace sekisho

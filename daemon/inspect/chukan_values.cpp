#include "daemon/inspect/chukan_values.hpp"

#include "daemon/inspect/cp932.hpp"
#include "daemon/inspect/csv_fields.hpp"

namespace sekisho::inspect::chukan {
namespace {

constexpr std::string_view kFirstDate = "18680101";

int two_digits(std::string_view s, std::size_t at) {
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

bool alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Size of the katakana character at `pos`, 0 when there is none; `space` tells whether it
// is a space.
std::size_t kana_at(std::string_view v, std::size_t pos, bool& space) {
    const auto c = static_cast<unsigned char>(v[pos]);
    space = c == ' ';
    if (space || (c >= 0xA6 && c <= 0xDF))
        return 1;
    if (pos + 1 >= v.size())
        return 0;
    const auto t = static_cast<unsigned char>(v[pos + 1]);
    if (c == 0x83 && t >= 0x40 && t <= 0x96)
        return 2;
    space = c == 0x81 && t == 0x40;
    return c == 0x81 && (t == 0x40 || t == 0x5B) ? 2 : 0;
}

}  // namespace

Broken check_digit_run(std::string_view value, std::size_t max) {
    if (value.empty() || value.size() > max || !csv::all_digits(value))
        return "not a number of digits only within its length";
    return nullptr;
}

Broken check_alnum(std::string_view value, std::size_t max) {
    if (value.empty() || value.size() > max)
        return "not within its length";
    for (const char c : value) {
        if (!alnum(c))
            return "not ASCII letters and digits";
    }
    return nullptr;
}

Broken check_date(std::string_view value) {
    if (const Broken b = csv::check_gregorian_date(value))
        return b;
    return value < kFirstDate ? "date before 1868" : nullptr;
}

Broken check_datetime(std::string_view value) {
    if (value.size() != 14 || !csv::all_digits(value))
        return "not a date and time YYYYMMDDhhmmss";
    if (check_date(value.substr(0, 8)) != nullptr)
        return "not a real date";
    if (two_digits(value, 8) > 23 || two_digits(value, 10) > 59 || two_digits(value, 12) > 59)
        return "not a real time of day";
    return nullptr;
}

Broken check_kana(std::string_view value, std::size_t max) {
    if (value.size() > max)
        return "longer than its limit";
    bool only_spaces = true;
    for (std::size_t pos = 0; pos < value.size();) {
        bool space = false;
        const std::size_t size = kana_at(value, pos, space);
        if (size == 0)
            return "not katakana";
        only_spaces = only_spaces && space;
        pos += size;
    }
    return only_spaces ? "no katakana in it" : nullptr;
}

Broken check_text(std::string_view value, std::size_t max) {
    if (value.size() > max)
        return "longer than its limit";
    return csv::check_text(value);
}

}  // namespace sekisho::inspect::chukan

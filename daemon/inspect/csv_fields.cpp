#include "daemon/inspect/csv_fields.hpp"

#include <array>
#include <chrono>

#include "daemon/inspect/cp932.hpp"

namespace sekisho::inspect::csv {
namespace {

using namespace std::chrono;

struct Era {
    char code;
    year_month_day first, last;
};

// 平成 ends 2019-04-30 and 令和 starts 2019-05-01 (spec §4). Oldest first, so that the era
// before an era is the entry before it.
constexpr std::array<Era, 5> kEras{{
    {'1', year(1868) / 10 / 23, year(1912) / 7 / 29},
    {'3', year(1912) / 7 / 30, year(1926) / 12 / 24},
    {'5', year(1926) / 12 / 25, year(1989) / 1 / 7},
    {'7', year(1989) / 1 / 8, year(2019) / 4 / 30},
    {'9', year(2019) / 5 / 1, year(9999) / 12 / 31},
}};

const Era* find_era(std::string_view code) {
    if (code.size() != 1)
        return nullptr;
    for (const auto& era : kEras) {
        if (era.code == code[0])
            return &era;
    }
    return nullptr;
}

int two_digits(std::string_view s, std::size_t at) {
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// The date YYMMDD names in `era`, when it is a real date inside the era.
bool in_era(const Era& era, std::string_view yymmdd) {
    const int yy = two_digits(yymmdd, 0);
    if (yy == 0)
        return false;
    const year_month_day date{era.first.year() + years(yy - 1),
                              month(static_cast<unsigned>(two_digits(yymmdd, 2))),
                              day(static_cast<unsigned>(two_digits(yymmdd, 4)))};
    return date.ok() && sys_days(date) >= sys_days(era.first) &&
           sys_days(date) <= sys_days(era.last);
}

bool in_range(int v, int lo, int hi) {
    return v >= lo && v <= hi;
}

}  // namespace

bool all_digits(std::string_view value) {
    for (const char c : value) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

std::optional<long long> parse_number(std::string_view value, std::size_t max_digits) {
    if (value.empty() || value.size() > max_digits || !all_digits(value))
        return std::nullopt;
    long long v = 0;
    for (const char c : value)
        v = v * 10 + (c - '0');
    return v;
}

Broken check_digits(std::string_view value, std::size_t size) {
    if (value.size() != size || !all_digits(value))
        return "not the required number of digits";
    return nullptr;
}

Broken check_number(std::string_view value, std::size_t max_digits) {
    if (!parse_number(value, max_digits))
        return "not a number of digits only within its length";
    return nullptr;
}

Broken check_range(std::string_view value, std::size_t max_digits, long long lo, long long hi) {
    const auto v = parse_number(value, max_digits);
    if (!v || *v < lo || *v > hi)
        return "number outside its range";
    return nullptr;
}

Broken check_choice(std::string_view value, std::string_view choices) {
    while (!choices.empty()) {
        const auto space = choices.find(' ');
        if (choices.substr(0, space) == value)
            return nullptr;
        choices = space == std::string_view::npos ? std::string_view{} : choices.substr(space + 1);
    }
    return "not one of the allowed codes";
}

Broken check_era(std::string_view era) {
    return find_era(era) == nullptr ? "unknown 元号 code" : nullptr;
}

Broken check_era_date(std::string_view era, std::string_view yymmdd) {
    const Era* e = find_era(era);
    if (yymmdd.size() != 6 || !all_digits(yymmdd) || e == nullptr || !in_era(*e, yymmdd))
        return "not a real date in its era";
    return nullptr;
}

Broken check_near_date(std::string_view era, std::string_view yymmdd) {
    const Era* e = find_era(era);
    if (yymmdd.size() != 6 || !all_digits(yymmdd) || e == nullptr)
        return "not a real date in its era";
    if (in_era(*e, yymmdd) || (e != kEras.data() && in_era(*(e - 1), yymmdd)))
        return nullptr;
    return "not a real date in its era";
}

Broken check_gregorian_date(std::string_view yyyymmdd) {
    if (yyyymmdd.size() != 8 || !all_digits(yyyymmdd))
        return "not a date YYYYMMDD";
    const year_month_day date{year(two_digits(yyyymmdd, 0) * 100 + two_digits(yyyymmdd, 2)),
                              month(static_cast<unsigned>(two_digits(yyyymmdd, 4))),
                              day(static_cast<unsigned>(two_digits(yyyymmdd, 6)))};
    return date.ok() ? nullptr : "not a real date";
}

Broken check_yymm(std::string_view yymm) {
    if (yymm.size() != 4 || !all_digits(yymm) || two_digits(yymm, 0) == 0 ||
        !in_range(two_digits(yymm, 2), 1, 12))
        return "not a year and month YYMM";
    return nullptr;
}

Broken check_month(std::string_view mm) {
    if (mm.size() != 2 || !all_digits(mm) || !in_range(two_digits(mm, 0), 1, 12))
        return "not a month 01..12";
    return nullptr;
}

Broken check_day(std::string_view dd) {
    if (dd.size() != 2 || !all_digits(dd) || !in_range(two_digits(dd, 0), 1, 31))
        return "not a day 01..31";
    return nullptr;
}

Broken check_kana_name(std::string_view value) {
    if (value.size() > 25)
        return "氏名カナ longer than 25 bytes";
    const auto space = value.find(' ');
    if (space == 0 || space == std::string_view::npos || space + 1 == value.size() ||
        value.find(' ', space + 1) != std::string_view::npos)
        return "氏名カナ is not family name, one half-width space, given name";
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (i != space && (c < 0xA6 || c > 0xDF))
            return "氏名カナ is not half-width katakana";
    }
    return nullptr;
}

Broken check_name(std::string_view value) {
    if (value.empty())
        return "氏名 is empty";
    if (value.size() > 24)
        return "氏名 longer than 24 bytes";
    return check_text(value);
}

Broken check_text(std::string_view value) {
    // Control bytes are never CP932 trail bytes (those start at 0x40), so a byte scan is exact.
    // A CR is left out: it is a line end out of place, reported as such (E-CSV-ENCODING).
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\r') || c == 0x7F)
            return "control character in text";
    }
    return nullptr;
}

Broken check_halfwidth_text(std::string_view value) {
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (!in_range(c, 0x20, 0x7E) && !is_halfwidth_kana(c))
            return "not half-width text";
    }
    return nullptr;
}

}  // namespace sekisho::inspect::csv

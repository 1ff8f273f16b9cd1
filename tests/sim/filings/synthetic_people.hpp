#pragma once
// Synthetic people and employers: names in kanji and half-width katakana, dates in the
// Japanese eras, 個人番号 with a valid check digit. Nothing here describes a real person:
// names are random combinations of common name parts, numbers are random.

#include <chrono>
#include <string>
#include <string_view>

#include "tests/sim/filings/rng.hpp"

namespace sekisho::sim::filings {

using Date = std::chrono::year_month_day;

Date make_date(int y, unsigned m, unsigned d);
Date add_days(Date d, int days);
// "YYYY-MM-DD" and "YYYYMMDD".
std::string iso_date(Date d);
std::string compact_date(Date d);

// A date as the CSV writes it: 元号 code (1 明治, 3 大正, 5 昭和, 7 平成, 9 令和) and YYMMDD
// with the year counted inside that era.
struct EraDate {
    std::string era;
    std::string yymmdd;
    std::string yymm() const { return yymmdd.substr(0, 4); }
};
EraDate to_era(Date d);

// 個人番号 (総務省令第85号 第5条): the check digit of the first 11 digits.
int mynumber_check_digit(std::string_view first11);
bool mynumber_valid(std::string_view number);
std::string make_mynumber(Rng& rng);
// A 12-digit number whose last digit is not the check digit of the first 11.
std::string make_bad_mynumber(Rng& rng);

struct PersonName {
    std::string kanji;  // family + U+3000 + given; ≤ 24 bytes in CP932
    std::string kana;   // half-width katakana, family + ' ' + given; ≤ 25 bytes in CP932
    int sex = 1;        // 1 男, 2 女
};
PersonName make_name(Rng& rng);

struct Office {
    std::string prefecture;  // 2 digits
    std::string district;    // 2 digits
    std::string symbol;      // 2..4 half-width katakana (UTF-8 here)
    std::string number;      // 5 digits
    std::string postal_parent, postal_child;
    std::string address, name, owner;
    std::string tel_area, tel_local, tel_number;
};
Office make_office(Rng& rng);

struct Person {
    int seiri = 1;  // 被保険者整理番号
    PersonName name;
    Date birth;
    std::string mynumber;                        // empty or 12 digits
    std::string pension_office, pension_serial;  // 基礎年金番号 (4 + 6 digits)
    std::string address;  // kanji, without digits that could look like a 個人番号
};
Person make_person(Rng& rng, int seiri, const Office& office, bool with_mynumber);

// Full-width digits, for addresses in kanji text.
std::string fullwidth_number(int n);

}  // namespace sekisho::sim::filings

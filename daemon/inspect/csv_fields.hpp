#pragma once
// Rules for single values of KPFD0006.CSV (spec §4). Each check returns nullptr when the value
// keeps its rule, else the rule it breaks in plain words; never anything of the value itself.
// Values are CP932 bytes that already decoded.

#include <cstddef>
#include <optional>
#include <string_view>

namespace sekisho::inspect::csv {

using Broken = const char*;

bool all_digits(std::string_view value);
// A non-negative number of 1..max_digits ASCII digits; nullopt otherwise.
std::optional<long long> parse_number(std::string_view value, std::size_t max_digits);

Broken check_digits(std::string_view value, std::size_t size);        // exactly `size`
Broken check_number(std::string_view value, std::size_t max_digits);  // 1..max_digits
Broken check_range(std::string_view value, std::size_t max_digits, long long lo, long long hi);
Broken check_choice(std::string_view value, std::string_view choices);  // space-separated

// 元号 code 1 明治, 3 大正, 5 昭和, 7 平成, 9 令和.
Broken check_era(std::string_view era);
// YYMMDD inside the era `era` (already checked): a real date between its first and last day.
Broken check_era_date(std::string_view era, std::string_view yymmdd);
// YYMMDD without its own 元号, inside `era` or the era before it (a day before an era change).
Broken check_near_date(std::string_view era, std::string_view yymmdd);
Broken check_gregorian_date(std::string_view yyyymmdd);
Broken check_yymm(std::string_view yymm);
Broken check_month(std::string_view mm);  // 01..12
Broken check_day(std::string_view dd);    // 01..31

// Half-width katakana family name, one half-width space, given name; ≤ 25 bytes.
Broken check_kana_name(std::string_view value);
// 氏名: printable text of at most 24 bytes.
Broken check_name(std::string_view value);
// Free text: no control characters.
Broken check_text(std::string_view value);
// Single-byte text only: printable ASCII and half-width katakana.
Broken check_halfwidth_text(std::string_view value);

}  // namespace sekisho::inspect::csv

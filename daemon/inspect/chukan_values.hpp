#pragma once
// Rules for single values of a 中間サーバー file (spec/chukan-api.md, Files). Each check
// returns nullptr when the value keeps its rule, else the rule it breaks in plain words;
// never anything of the value itself. Values are CP932 bytes that already decoded.

#include <cstddef>
#include <string_view>

namespace sekisho::inspect::chukan {

using Broken = const char*;

Broken check_digit_run(std::string_view value, std::size_t max);  // 1..max ASCII digits
Broken check_alnum(std::string_view value, std::size_t max);      // 1..max ASCII alphanumerics
// YYYYMMDD: a real date, not before 1868 (明治), the oldest date a register holds.
Broken check_date(std::string_view value);
// YYYYMMDDhhmmss: a real date as above and a time 000000..235959.
Broken check_datetime(std::string_view value);
// 氏名かな: half-width katakana (0xA6–0xDF) and spaces, or full-width katakana (83 40–83 96),
// ー (81 5B) and full-width spaces (81 40); at most `max` bytes and not only spaces.
Broken check_kana(std::string_view value, std::size_t max);
// Free text: at most `max` bytes, no control characters.
Broken check_text(std::string_view value, std::size_t max);

}  // namespace sekisho::inspect::chukan

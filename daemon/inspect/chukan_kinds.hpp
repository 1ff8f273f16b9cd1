#pragma once
// The records of the six 中間サーバー file kinds (spec/chukan-api.md, Files): one field table
// per kind, and the rules between the fields of one record (chukan_kinds.cpp lists them).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "daemon/inspect/chukan_report.hpp"

namespace sekisho::inspect::chukan {

enum class Rule {
    digits,    // exactly `size` ASCII digits
    number,    // 1..size ASCII digits
    choice,    // one of `choices` (space-separated)
    alnum,     // 1..size ASCII letters and digits
    date,      // YYYYMMDD, a real date from 1868 on
    datetime,  // YYYYMMDDhhmmss, a real date and time
    text,      // at most `size` bytes, no control character, no 個人番号 in it
    kana,      // at most `size` bytes of katakana (half- or full-width) and spaces
    mynumber,  // 12 digits with a valid check digit
};

struct FieldSpec {
    std::string_view name;
    Rule rule;
    std::size_t size = 0;
    std::string_view choices{};
    bool required = true;  // an empty optional field skips its rule
};

struct KindLayout;

// What the records of one file share: the order of 要求レコード番号, the flag counts.
struct FileState {
    long long last_request_number = 0;
    std::int64_t multiple_matches = 0;  // HONNIN-RES records with 処理結果 2
};

struct KindLayout {
    std::string_view kind;
    std::span<const FieldSpec> fields;
};

// nullptr for anything but the six kinds.
const KindLayout* find_layout(std::string_view kind);

// `fields` has exactly as many fields as `layout` (the caller checked).
void check_record(const KindLayout& layout, const std::vector<std::string_view>& fields,
                  std::size_t line, FileState& state, Report& report);

}  // namespace sekisho::inspect::chukan

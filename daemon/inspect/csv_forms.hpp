#pragma once
// The five data record layouts of KPFD0006.CSV (spec §4 table), as data.

#include <cstddef>
#include <span>
#include <string_view>

namespace sekisho::inspect::csv {

enum class Kind {
    form_code,  // field 1, already matched
    office,     // equals field `ref` (0-based) of the 事業所 record
    seiri,      // 被保険者整理番号 1..999999
    kana_name,  // 氏名カナ
    name,       // 氏名
    era,        // 元号 code
    era_date,   // YYMMDD in the era of field `ref`
    near_date,  // YYMMDD in the era of field `ref` or the one before
    mynumber,   // 個人番号
    digits,     // exactly `size` digits
    number,     // 1..`size` digits (counts, 基礎日数 by range below)
    choice,     // one of `choices`
    flag,       // "1"
    money,      // yen, digits only
    thousands,  // 千円, digits only
    yymm,
    month,      // 支給月 MM
    days,       // 基礎日数 0..31
    day,        // DD
    text,       // free text: no control characters, scanned for stray 個人番号
    kana_text,  // 住所カナ: single-byte text, scanned for stray 個人番号
    reserved,   // 予備: always empty
};

struct FieldSpec {
    std::string_view name;
    Kind kind;
    bool optional = false;
    std::size_t size = 0;
    std::string_view choices{};
    std::size_t ref = 0;
};

struct FormLayout {
    std::string_view code;
    std::span<const FieldSpec> fields;  // fields[0] is the 様式コード
    std::size_t mynumber_field;         // 1-based
};

// nullptr for a 様式コード the spec does not know.
const FormLayout* find_form(std::string_view code);

}  // namespace sekisho::inspect::csv

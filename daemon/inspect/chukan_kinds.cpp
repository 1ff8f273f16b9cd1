#include "daemon/inspect/chukan_kinds.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <string>

#include "daemon/inspect/chukan_reason_codes.hpp"
#include "daemon/inspect/chukan_values.hpp"
#include "daemon/inspect/csv_fields.hpp"
#include "daemon/inspect/mynumber.hpp"

// The spec names each kind's fields and marks the optional ones. What it leaves open is
// fixed here (the simulator and the generator follow this table):
//
// | kind            | rule between fields (derived)                                          |
// |-----------------|------------------------------------------------------------------------|
// | SHIKAKU-REG-REQ | 被保険者枝番 required unless 処理区分 1 (新規);                           |
// |                 | 資格取得年月日 not before 生年月日; 資格喪失年月日 not before 資格取得年月日
// | | SHIKAKU-REG-RES | 被保険者枝番 required when 結果コード is 0 (an error may have none);      |
// |                 | エラー内容 empty when 結果コード is 0                                    |
// | HONNIN-REQ      | 要求レコード番号 ≥ 1 and ascending through the file;                     |
// |                 | 主たる照会条件 1 needs 個人番号; 2 needs 氏名かな, 生年月日 and 性別 and  |
// |                 | carries no 個人番号 (E-CHUKAN-MYNUMBER)                                  |
// | HONNIN-RES      | 要求レコード番号 ≥ 1 and ascending; 処理結果 0 needs 生存状況;           |
// |                 | 処理結果 1 (該当なし) carries no person data at all; 処理結果 2 (複数該当)|
// |                 | carries no 個人番号 (E-CHUKAN-MYNUMBER) and is counted for the flag;    |
// |                 | 異動事由 and 異動年月日 both or neither                                   |
// | SHOKAI-RES      | 結果データ empty when 不開示コード or 過誤事由コード is filled            |
//
// Value rules the spec leaves open: 被保険者枝番 2 digits; 識別番号 1..20 ASCII letters and
// digits; 処理番号 1..20 digits; 要求レコード番号 1..9 digits; 結果コード 1..8 digits;
// 不開示コード, 過誤事由コード, 処理番号の枝番 1..4 digits; 生存状況 1 生存, 2 死亡, 3 不明;
// 異動事由 2 digits; 氏名, 氏名かな, 事務名称, 事務手続名称, 特定個人情報名称 ≤ 100 bytes;
// 住所, エラー内容 ≤ 200 bytes; 結果データ ≤ 4000 bytes. A free-text field holding a run of
// exactly 12 digits with a valid check digit is E-CHUKAN-MYNUMBER, as in filings.

namespace sekisho::inspect::chukan {
namespace {

constexpr std::size_t kNameBytes = 100;
constexpr std::size_t kLongText = 200;
constexpr std::size_t kResultData = 4000;

constexpr FieldSpec digits(std::string_view name, std::size_t n, bool required = true) {
    return {name, Rule::digits, n, {}, required};
}
constexpr FieldSpec number(std::string_view name, std::size_t max, bool required = true) {
    return {name, Rule::number, max, {}, required};
}
constexpr FieldSpec choice(std::string_view name, std::string_view choices, bool required = true) {
    return {name, Rule::choice, 0, choices, required};
}
constexpr FieldSpec of(std::string_view name, Rule rule, std::size_t size = 0,
                       bool required = true) {
    return {name, rule, size, {}, required};
}
constexpr bool kOpt = false;

constexpr std::array<FieldSpec, 10> kShikakuReq{{
    choice("処理区分", "1 2 3"),
    of("識別番号", Rule::alnum, 20),
    of("個人番号", Rule::mynumber),
    digits("被保険者枝番", 2, kOpt),  // required unless 新規: see the conditions
    of("氏名", Rule::text, kNameBytes),
    of("氏名かな", Rule::kana, kNameBytes),
    of("生年月日", Rule::date),
    choice("性別", "1 2"),
    of("資格取得年月日", Rule::date),
    of("資格喪失年月日", Rule::date, 0, kOpt),
}};

constexpr std::array<FieldSpec, 5> kShikakuRes{{
    choice("処理区分", "1 2 3"),
    of("識別番号", Rule::alnum, 20),
    digits("被保険者枝番", 2, kOpt),  // required when 結果コード is 0
    number("結果コード", 8),
    of("エラー内容", Rule::text, kLongText, kOpt),
}};

constexpr std::array<FieldSpec, 8> kHonninReq{{
    number("要求レコード番号", 9),
    choice("主たる照会条件", "1 2"),
    of("個人番号", Rule::mynumber, 0, kOpt),
    of("氏名かな", Rule::kana, kNameBytes, kOpt),
    of("生年月日", Rule::date, 0, kOpt),
    choice("性別", "1 2", kOpt),
    of("住所", Rule::text, kLongText, kOpt),
    of("照会基準日", Rule::date),
}};

constexpr std::array<FieldSpec, 11> kHonninRes{{
    number("要求レコード番号", 9),
    choice("処理結果", "0 1 2"),
    choice("生存状況", "1 2 3", kOpt),
    of("個人番号", Rule::mynumber, 0, kOpt),
    of("氏名", Rule::text, kNameBytes, kOpt),
    of("氏名かな", Rule::kana, kNameBytes, kOpt),
    of("生年月日", Rule::date, 0, kOpt),
    choice("性別", "1 2", kOpt),
    of("住所", Rule::text, kLongText, kOpt),
    digits("異動事由", 2, kOpt),
    of("異動年月日", Rule::date, 0, kOpt),
}};

constexpr std::array<FieldSpec, 5> kShokaiReq{{
    number("処理番号", 20),
    of("事務名称", Rule::text, kNameBytes),
    of("事務手続名称", Rule::text, kNameBytes),
    of("特定個人情報名称", Rule::text, kNameBytes),
    digits("被保険者枝番", 2),
}};

constexpr std::array<FieldSpec, 8> kShokaiRes{{
    number("処理番号", 20),
    number("処理番号の枝番", 4),
    of("特定個人情報名称", Rule::text, kNameBytes),
    of("提供の日時", Rule::datetime),
    number("不開示コード", 4, kOpt),
    number("過誤事由コード", 4, kOpt),
    digits("被保険者枝番", 2),
    of("結果データ", Rule::text, kResultData, kOpt),
}};

constexpr std::array<KindLayout, 6> kLayouts{{
    {"SHIKAKU-REG-REQ", kShikakuReq},
    {"SHIKAKU-REG-RES", kShikakuRes},
    {"HONNIN-REQ", kHonninReq},
    {"HONNIN-RES", kHonninRes},
    {"SHOKAI-REQ", kShokaiReq},
    {"SHOKAI-RES", kShokaiRes},
}};

// A record during its check: the fields, which of them kept their rule, where to report.
class Record {
  public:
    Record(const KindLayout& layout, const std::vector<std::string_view>& fields, std::size_t line,
           FileState& state, Report& report)
        : layout_(layout), fields_(fields), line_(line), state_(state), report_(report) {}

    std::string_view at(std::size_t n) const { return fields_[n - 1]; }
    bool filled(std::size_t n) const { return !at(n).empty(); }
    // Filled and keeping its own rule: only such values take part in rules between fields.
    bool good(std::size_t n) const { return filled(n) && !bad_[n - 1]; }
    const FieldSpec& spec(std::size_t n) const { return layout_.fields[n - 1]; }
    FileState& state() { return state_; }

    void fail(std::size_t n, std::string_view rule) {
        bad_[n - 1] = true;
        report_.field(code::chukan_field, line_, n, spec(n).name, rule);
    }
    void number_problem(std::size_t n, std::string_view rule) {
        bad_[n - 1] = true;
        report_.field(code::chukan_mynumber, line_, n, spec(n).name, rule);
    }
    void require(std::size_t n, std::string_view why) {
        if (!filled(n))
            fail(n, why);
    }
    // A filled 個人番号 is a number problem, any other filled field a field problem.
    void forbid(std::size_t n, std::string_view why) {
        if (!filled(n))
            return;
        if (spec(n).rule == Rule::mynumber)
            number_problem(n, why);
        else
            fail(n, why);
    }

  private:
    const KindLayout& layout_;
    const std::vector<std::string_view>& fields_;
    std::size_t line_;
    FileState& state_;
    Report& report_;
    std::bitset<16> bad_;
};

Broken value_rule(const FieldSpec& s, std::string_view v) {
    switch (s.rule) {
        case Rule::digits:
            return csv::check_digits(v, s.size);
        case Rule::number:
            return check_digit_run(v, s.size);
        case Rule::choice:
            return csv::check_choice(v, s.choices);
        case Rule::alnum:
            return check_alnum(v, s.size);
        case Rule::date:
            return check_date(v);
        case Rule::datetime:
            return check_datetime(v);
        case Rule::text:
            return check_text(v, s.size);
        case Rule::kana:
            return check_kana(v, s.size);
        case Rule::mynumber:
            return nullptr;  // check_mynumber
    }
    return "unknown rule";
}

void check_mynumber(Record& r, std::size_t n) {
    const std::string_view v = r.at(n);
    if (v.size() != 12 || !csv::all_digits(v))
        r.number_problem(n, "not 12 digits");
    else if (!valid_mynumber(v))
        r.number_problem(n, "wrong check digit");
}

void check_field(Record& r, std::size_t n) {
    const FieldSpec& s = r.spec(n);
    if (!r.filled(n)) {
        if (s.required)
            r.fail(n, "required but empty");
        return;
    }
    if (s.rule == Rule::mynumber)
        return check_mynumber(r, n);
    if (const Broken b = value_rule(s, r.at(n)))
        r.fail(n, b);
    if (s.rule == Rule::text && contains_mynumber(r.at(n), TextEncoding::cp932))
        r.number_problem(n, "12-digit number with a valid 個人番号 check digit in free text");
}

// Field `later` (a date) is not before field `earlier` when both are good dates.
void not_before(Record& r, std::size_t earlier, std::size_t later) {
    if (r.good(earlier) && r.good(later) && r.at(later) < r.at(earlier))
        r.fail(later, std::string("before ") + std::string(r.spec(earlier).name));
}

// 要求レコード番号 (field 1): at least 1, and above the previous record's.
void request_number(Record& r) {
    if (!r.good(1))
        return;
    const long long v = *csv::parse_number(r.at(1), 9);
    if (v < 1) {
        r.fail(1, "0 is not a record number");
        return;
    }
    if (v <= r.state().last_request_number)
        r.fail(1, "not above the previous record's");
    r.state().last_request_number = std::max(v, r.state().last_request_number);
}

bool is_zero(std::string_view digits) {
    return digits.find_first_not_of('0') == std::string_view::npos;
}

void shikaku_req(Record& r) {
    if (r.good(1) && r.at(1) != "1")
        r.require(4, "required unless 処理区分 is 1 (新規)");
    not_before(r, 7, 9);
    not_before(r, 9, 10);
}

void shikaku_res(Record& r) {
    if (!r.good(4) || !is_zero(r.at(4)))
        return;
    r.require(3, "required when 結果コード is 0");
    r.forbid(5, "filled although 結果コード is 0");
}

void honnin_req(Record& r) {
    request_number(r);
    if (!r.good(2))
        return;
    if (r.at(2) == "1") {
        r.require(3, "required when 主たる照会条件 is 1");
        return;
    }
    r.forbid(3, "filled although 主たる照会条件 is 2");
    for (const std::size_t n : {4, 5, 6})
        r.require(n, "required when 主たる照会条件 is 2");
}

void honnin_res(Record& r) {
    request_number(r);
    if ((r.filled(10) || r.filled(11)) && !(r.filled(10) && r.filled(11)))
        r.fail(r.filled(10) ? 11 : 10, "異動事由 and 異動年月日 go together");
    if (!r.good(2))
        return;
    if (r.at(2) == "0") {
        r.require(3, "required when 処理結果 is 0");
    } else if (r.at(2) == "1") {
        for (std::size_t n = 3; n <= 11; ++n)
            r.forbid(n, "filled although 処理結果 is 1 (該当なし)");
    } else {
        r.forbid(4, "filled although 処理結果 is 2 (複数該当)");
        ++r.state().multiple_matches;
    }
}

void shokai_req(Record&) {}

void shokai_res(Record& r) {
    if (r.filled(5) || r.filled(6))
        r.forbid(8, "filled although 不開示コード or 過誤事由コード is set");
}

using Conditions = void (*)(Record&);
constexpr std::array<Conditions, kLayouts.size()> kConditions{
    shikaku_req, shikaku_res, honnin_req, honnin_res, shokai_req, shokai_res,
};

}  // namespace

const KindLayout* find_layout(std::string_view kind) {
    for (const auto& l : kLayouts) {
        if (l.kind == kind)
            return &l;
    }
    return nullptr;
}

void check_record(const KindLayout& layout, const std::vector<std::string_view>& fields,
                  std::size_t line, FileState& state, Report& report) {
    Record r(layout, fields, line, state, report);
    for (std::size_t n = 1; n <= fields.size(); ++n)
        check_field(r, n);
    kConditions[static_cast<std::size_t>(&layout - kLayouts.data())](r);
}

}  // namespace sekisho::inspect::chukan

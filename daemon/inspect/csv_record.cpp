#include "daemon/inspect/csv_record.hpp"

#include <algorithm>
#include <bitset>

#include "daemon/inspect/csv_fields.hpp"
#include "daemon/inspect/mynumber.hpp"
#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect::csv {
namespace {

constexpr std::size_t kMoneyDigits = 10;    // yen, up to 9,999,999,999
constexpr std::size_t kThousandDigits = 7;  // 千円
constexpr long long kMinMonthlyPay = 1000;  // 報酬月額合計 ≥ 1000

// A record during its check: the fields, which of them kept their rule, and where to report.
class Checked {
  public:
    Checked(const FormLayout& form, const std::vector<std::string_view>& fields,
            const RecordContext& context, Report& report)
        : form_(form), fields_(fields), context_(context), report_(report) {}

    std::string_view at(std::size_t n) const { return fields_[n - 1]; }
    const FieldSpec& spec(std::size_t n) const { return form_.fields[n - 1]; }
    bool good(std::size_t n) const { return !bad_[n - 1]; }
    // The value of money field `n` when it kept its rule.
    std::optional<long long> money(std::size_t n) const {
        return good(n) ? parse_number(at(n), kMoneyDigits) : std::nullopt;
    }

    void fail(std::size_t n, std::string_view rule) {
        bad_[n - 1] = true;
        report_.field(code::csv_field, context_.line, n, spec(n).name, rule);
    }
    void report(std::string_view c, std::size_t n, std::string_view detail) {
        report_.field(c, context_.line, n, detail);
    }
    const RecordContext& context() const { return context_; }
    const FormLayout& form() const { return form_; }

  private:
    const FormLayout& form_;
    const std::vector<std::string_view>& fields_;
    const RecordContext& context_;
    Report& report_;
    std::bitset<64> bad_;
};

bool mynumber_allowed(const FormLayout& form, const Options& options) {
    const auto& allowed = options.mynumber_allowed_forms;
    return std::find(allowed.begin(), allowed.end(), form.code) != allowed.end();
}

void check_mynumber(Checked& r, std::size_t n) {
    const std::string_view value = r.at(n);
    if (!mynumber_allowed(r.form(), *r.context().options)) {
        r.report(code::mynumber_not_allowed, n,
                 "個人番号 filled in a form that is not allowed to carry one");
    }
    if (value.size() != 12 || !all_digits(value))
        r.fail(n, "not 12 digits");
    else if (!valid_mynumber(value))
        r.report(code::mynumber_checkdigit, n, "個人番号 with a wrong check digit");
}

void check_office_field(Checked& r, std::size_t n) {
    const auto& office = *r.context().office;
    if (office && r.at(n) != (*office)[r.spec(n).ref]) {
        r.report(code::csv_structure, n,
                 std::string(r.spec(n).name) + ": differs from the 事業所 record of line 4");
    }
}

void check_free_text(Checked& r, std::size_t n, Broken broken) {
    if (broken != nullptr)
        r.fail(n, broken);
    if (contains_mynumber(r.at(n), TextEncoding::cp932)) {
        r.report(code::mynumber_not_allowed, n,
                 std::string(r.spec(n).name) +
                     ": 12-digit number with a valid 個人番号 check digit in free text");
    }
}

// The rule of field `n` by its kind; nullptr when it holds.
Broken value_rule(const Checked& r, std::size_t n) {
    const FieldSpec& s = r.spec(n);
    const std::string_view v = r.at(n);
    switch (s.kind) {
        case Kind::seiri:
            return check_range(v, 6, 1, 999999);
        case Kind::kana_name:
            return check_kana_name(v);
        case Kind::name:
            return check_name(v);
        case Kind::era:
            return check_era(v);
        case Kind::era_date:
            return check_era_date(r.at(s.ref), v);
        case Kind::near_date:
            return check_near_date(r.at(s.ref), v);
        case Kind::digits:
            return check_digits(v, s.size);
        case Kind::number:
            return check_number(v, s.size);
        case Kind::choice:
            return check_choice(v, s.choices);
        case Kind::flag:
            return v == "1" ? nullptr : "not the flag value 1";
        case Kind::money:
            return check_number(v, kMoneyDigits);
        case Kind::thousands:
            return check_number(v, kThousandDigits);
        case Kind::yymm:
            return check_yymm(v);
        case Kind::month:
            return check_month(v);
        case Kind::days:
            return check_range(v, 2, 0, 31);
        case Kind::day:
            return check_day(v);
        case Kind::reserved:
            return "予備 must be empty";
        default:
            return nullptr;
    }
}

void check_field(Checked& r, std::size_t n) {
    const FieldSpec& s = r.spec(n);
    if (s.kind == Kind::form_code)
        return;
    if (s.kind == Kind::office)
        return check_office_field(r, n);
    if (r.at(n).empty()) {
        if (!s.optional && s.kind != Kind::reserved)
            r.fail(n, "required field is empty");
        return;
    }
    if (s.kind == Kind::mynumber)
        return check_mynumber(r, n);
    if (s.kind == Kind::text)
        return check_free_text(r, n, check_text(r.at(n)));
    if (s.kind == Kind::kana_text)
        return check_free_text(r, n, check_halfwidth_text(r.at(n)));
    if ((s.kind == Kind::era_date || s.kind == Kind::near_date) && !r.good(s.ref))
        return;  // the 元号 is already reported; the date cannot be judged without it
    if (const Broken broken = value_rule(r, n))
        r.fail(n, broken);
}

// --- rules across fields ------------------------------------------------------------------

// 報酬月額合計 = 通貨 + 現物 and ≥ 1000 (資格取得届 19, 20, 23).
void check_acquisition_pay(Checked& r) {
    const auto cash = r.money(19), kind = r.money(20), total = r.money(23);
    if (!cash || !kind || !total)
        return;
    if (*total != *cash + *kind)
        r.fail(23, "報酬月額合計 is not 通貨 + 現物");
    else if (*total < kMinMonthlyPay)
        r.fail(23, "報酬月額合計 is less than 1000");
}

// Three months from field 15 (支給月, 基礎日数, 通貨, 現物, 合計), 総計 30, 平均額 31.
void check_months(Checked& r, bool april_to_june) {
    static constexpr std::array<std::string_view, 3> kSantei{"04", "05", "06"};
    std::optional<long long> sum = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t n = 15 + i * 5;
        if (april_to_june && r.good(n) && r.at(n) != kSantei[i])
            r.fail(n, "算定基礎届 months are not 04, 05, 06");
        const auto cash = r.money(n + 2), kind = r.money(n + 3), total = r.money(n + 4);
        if (cash && kind && total && *total != *cash + *kind)
            r.fail(n + 4, "month 合計 is not 通貨 + 現物");
        sum = sum && total && r.good(n + 4) ? std::optional(*sum + *total) : std::nullopt;
    }
    const auto grand = r.money(30);
    if (sum && grand && *grand != *sum)
        r.fail(30, "総計 is not the sum of the three months' 合計");
    const auto average = r.money(31);
    if (grand && r.good(30) && average && *average != *grand / 3)
        r.fail(31, "平均額 is not 総計 / 3 (truncated)");
}

// 賞与額合計 = 通貨 + 現物, 千円未満切捨て (賞与支払届 12, 13, 14).
void check_bonus(Checked& r) {
    const auto cash = r.money(12), kind = r.money(13), total = r.money(14);
    if (cash && kind && total && *total != (*cash + *kind) / 1000 * 1000)
        r.fail(14, "賞与額合計 is not 通貨 + 現物 truncated to whole thousands");
}

void check_across(Checked& r) {
    const std::string_view form = r.form().code;
    if (form == "2200700")
        check_acquisition_pay(r);
    else if (form == "2221700" || form == "2225700")
        check_months(r, form == "2225700");
    else if (form == "2265700")
        check_bonus(r);
}

}  // namespace

void check_record(const FormLayout& form, const std::vector<std::string_view>& fields,
                  const RecordContext& context, Report& report) {
    Checked r(form, fields, context, report);
    for (std::size_t n = 1; n <= form.fields.size(); ++n)
        check_field(r, n);
    check_across(r);
}

}  // namespace sekisho::inspect::csv

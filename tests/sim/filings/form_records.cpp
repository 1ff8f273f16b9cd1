#include "tests/sim/filings/form_records.hpp"

#include <algorithm>
#include <stdexcept>

namespace sekisho::sim::filings {
namespace {

// 標準報酬月額 grades of 健康保険 in thousand yen; 厚生年金 uses the range 88..650.
constexpr std::array<int, 50> kGrades{
    58,  68,  78,  88,  98,  104, 110, 118, 126, 134,  142,  150,  160,  170,  180,  190, 200,
    220, 240, 260, 280, 300, 320, 340, 360, 380, 410,  440,  470,  500,  530,  560,  590, 620,
    650, 680, 710, 750, 790, 830, 880, 930, 980, 1030, 1090, 1150, 1210, 1270, 1330, 1390};

int grade_for(int yen) {
    int best = kGrades.front();
    for (const int g : kGrades) {
        if (g * 1000 <= yen)
            best = g;
    }
    return best;
}

int pension_grade(int health_grade) {
    return std::clamp(health_grade, 88, 650);
}

std::string num(long v) {
    return std::to_string(v);
}

// A record of `form` with the 事業所 fields filled; the 事業所番号 only where the layout has it.
Record start_record(std::string_view form, const Office& office, bool with_number) {
    Record r{std::vector<std::string>(field_count(form))};
    r.at(1) = std::string(form);
    r.at(2) = office.prefecture;
    r.at(3) = office.district;
    r.at(4) = office.symbol;
    if (with_number)
        r.at(5) = office.number;
    return r;
}

// 整理番号, カナ, 氏名, 生年月日 starting at field `n`.
void set_person(Record& r, std::size_t n, const Person& p) {
    const EraDate birth = to_era(p.birth);
    r.at(n) = num(p.seiri);
    r.at(n + 1) = p.name.kana;
    r.at(n + 2) = p.name.kanji;
    r.at(n + 3) = birth.era;
    r.at(n + 4) = birth.yymmdd;
}

void set_pension(Record& r, std::size_t n, const Person& p) {
    r.at(n) = p.pension_office;
    r.at(n + 1) = p.pension_serial;
}

Record acquisition(Rng& rng, const Office& office, const Person& p, Date submitted) {
    Record r = start_record("2200700", office, true);
    set_person(r, 6, p);
    r.at(11) = num(p.name.sex);
    r.at(12) = "1";
    r.at(13) = p.mynumber;
    r.at(16) = rng.chance(30) ? "1" : "0";
    const EraDate acquired = to_era(add_days(submitted, -rng.uniform(3, 25)));
    r.at(17) = acquired.era;
    r.at(18) = acquired.yymmdd;
    const int cash = rng.uniform(180, 520) * 1000 + rng.uniform(0, 9) * 100;
    const int kind = rng.chance(20) ? rng.uniform(1, 15) * 1000 : 0;
    r.at(19) = num(cash);
    r.at(20) = num(kind);
    r.at(23) = num(cash + kind);
    r.at(27) = rng.chance(50) ? (rng.chance(50) ? "新規採用" : "中途採用") : "";
    if (p.mynumber.empty()) {
        // Without 個人番号 the form wants the 基礎年金番号, the address and a reason.
        set_pension(r, 14, p);
        r.at(29) = office.postal_parent;
        r.at(30) = office.postal_child;
        r.at(32) = p.address;
        r.at(33) = "3";
        r.at(34) = "番号の提供を受けていないため";
    }
    return r;
}

Record loss(Rng& rng, const Office& office, const Person& p, Date submitted) {
    Record r = start_record("2201700", office, true);
    set_person(r, 6, p);
    r.at(11) = p.mynumber;
    if (p.mynumber.empty())
        set_pension(r, 12, p);
    const Date lost = add_days(submitted, -rng.uniform(3, 25));
    const EraDate lost_era = to_era(lost);
    r.at(14) = lost_era.era;
    r.at(15) = lost_era.yymmdd;
    r.at(16) = "4";
    r.at(17) = to_era(add_days(lost, -1)).yymmdd;  // 退職日: the day before 喪失
    r.at(18) = num(rng.uniform(1, 3));
    r.at(19) = "0";
    r.at(25) = rng.chance(50) ? "退職" : "";
    return r;
}

// Three months of pay (支給月, 基礎日数, 通貨, 現物, 合計) from field 15, totals in 30 and 31.
void set_months(Rng& rng, Record& r, const std::array<int, 3>& months, int base) {
    static constexpr std::array<int, 13> kDays{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long total = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t n = 15 + i * 5;
        const int cash = base + rng.uniform(0, 30) * 1000 + rng.uniform(0, 9) * 10;
        r.at(n) = (months[i] < 10 ? "0" : "") + num(months[i]);
        r.at(n + 1) = num(kDays[static_cast<std::size_t>(months[i])]);
        r.at(n + 2) = num(cash);
        r.at(n + 3) = "0";
        r.at(n + 4) = num(cash);
        total += cash;
    }
    r.at(30) = num(total);
    r.at(31) = num(total / 3);
}

Record remuneration(Rng& rng, std::string_view form, const Office& office, const Person& p,
                    Date submitted) {
    Record r = start_record(form, office, false);
    set_person(r, 5, p);
    const bool revision = form == "2221700";  // 月額変更届; otherwise 算定基礎届
    const int year = static_cast<int>(submitted.year());
    const int before = rng.uniform(200, 450) * 1000;
    const int after = revision ? before + rng.uniform(40, 90) * 1000 : before;
    r.at(10) = to_era(make_date(year, revision ? 10 : 9, 1)).yymm();
    r.at(11) = num(grade_for(before));
    r.at(12) = num(pension_grade(grade_for(before)));
    r.at(13) = to_era(make_date(year - 1, 9, 1)).yymm();
    r.at(14) = revision ? "1" : "";
    set_months(rng, r, revision ? std::array<int, 3>{7, 8, 9} : std::array<int, 3>{4, 5, 6}, after);
    set_pension(r, 34, p);
    r.at(39) = revision ? "基本給の改定" : "";
    return r;
}

Record bonus(Rng& rng, const Office& office, const Person& p, Date submitted) {
    Record r = start_record("2265700", office, false);
    set_person(r, 5, p);
    const EraDate paid = to_era(add_days(submitted, -rng.uniform(2, 5)));
    const long cash = rng.uniform(200, 1500) * 1000L + rng.uniform(0, 999);
    r.at(10) = paid.era;
    r.at(11) = paid.yymmdd;
    r.at(12) = num(cash);
    r.at(13) = "0";
    r.at(14) = num(cash / 1000 * 1000);  // 千円未満切捨て
    set_pension(r, 16, p);
    return r;
}

}  // namespace

std::size_t field_count(std::string_view form) {
    if (form == "2200700")
        return 34;
    if (form == "2201700")
        return 27;
    if (form == "2221700" || form == "2225700")
        return 41;
    if (form == "2265700")
        return 21;
    return 0;
}

std::size_t mynumber_field(std::string_view form) {
    if (form == "2200700")
        return 13;
    if (form == "2201700")
        return 11;
    if (form == "2265700")
        return 15;
    return 33;
}

std::size_t remarks_field(std::string_view form) {
    if (form == "2200700")
        return 27;
    if (form == "2201700")
        return 25;
    return field_count(form);  // 備考 is the last field of the other forms
}

bool mynumber_allowed(std::string_view form) {
    return std::find(kMynumberForms.begin(), kMynumberForms.end(), form) != kMynumberForms.end();
}

std::string form_title(std::string_view form) {
    if (form == "2200700")
        return "健康保険被保険者資格取得届";
    if (form == "2201700")
        return "健康保険被保険者資格喪失届";
    if (form == "2221700")
        return "健康保険被保険者報酬月額変更届";
    if (form == "2225700")
        return "健康保険被保険者報酬月額算定基礎届";
    if (form == "2265700")
        return "健康保険被保険者賞与支払届";
    return "届書";
}

Record make_record(Rng& rng, std::string_view form, const Office& office, const Person& person,
                   Date submitted) {
    if (form == "2200700")
        return acquisition(rng, office, person, submitted);
    if (form == "2201700")
        return loss(rng, office, person, submitted);
    if (form == "2221700" || form == "2225700")
        return remuneration(rng, form, office, person, submitted);
    if (form == "2265700")
        return bonus(rng, office, person, submitted);
    throw std::invalid_argument("unknown form " + std::string(form));
}

}  // namespace sekisho::sim::filings

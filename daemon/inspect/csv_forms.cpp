#include "daemon/inspect/csv_forms.hpp"

#include <array>

namespace sekisho::inspect::csv {
namespace {

using K = Kind;

constexpr FieldSpec opt(std::string_view name, Kind kind, std::size_t size = 0) {
    return {name, kind, true, size};
}

constexpr FieldSpec choice(std::string_view name, std::string_view choices, bool optional = false) {
    return {name, Kind::choice, optional, 0, choices};
}

constexpr FieldSpec dated(std::string_view name, Kind kind, std::size_t era_field,
                          bool optional = false) {
    return {name, kind, optional, 0, {}, era_field};
}

constexpr FieldSpec office(std::string_view name, std::size_t index) {
    return {name, Kind::office, false, 0, {}, index};
}

// 資格取得届
constexpr std::array<FieldSpec, 34> k2200700{{
    {"様式コード", K::form_code},
    office("都道府県", 0),
    office("郡市区", 1),
    office("記号", 2),
    office("事業所番号", 3),
    {"被保険者整理番号", K::seiri},
    {"氏名カナ", K::kana_name},
    {"氏名", K::name},
    {"生年月日元号", K::era},
    dated("生年月日", K::era_date, 9),
    choice("種別", "1 2 3"),
    choice("取得区分", "1 3 4"),
    opt("個人番号", K::mynumber),
    opt("基礎年金番号課所符号", K::digits, 4),
    opt("基礎年金番号一連番号", K::digits, 6),
    choice("被扶養者", "0 1"),
    {"取得年月日元号", K::era},
    dated("取得年月日", K::era_date, 17),
    {"報酬月額通貨", K::money},
    {"報酬月額現物", K::money},
    opt("70歳以上被用者", K::flag),
    opt("二以上事業所勤務", K::flag),
    {"報酬月額合計", K::money},
    opt("短時間労働者", K::flag),
    opt("退職後再雇用", K::flag),
    opt("その他", K::flag),
    opt("備考", K::text),
    {"予備", K::reserved},
    opt("郵便番号親", K::digits, 3),
    opt("郵便番号子", K::digits, 4),
    opt("住所カナ", K::kana_text),
    opt("住所", K::text),
    choice("個人番号なし理由", "1 2 3", true),
    opt("理由内容", K::text),
}};

// 資格喪失届
constexpr std::array<FieldSpec, 27> k2201700{{
    {"様式コード", K::form_code},
    office("都道府県", 0),
    office("郡市区", 1),
    office("記号", 2),
    office("事業所番号", 3),
    {"被保険者整理番号", K::seiri},
    {"氏名カナ", K::kana_name},
    {"氏名", K::name},
    {"生年月日元号", K::era},
    dated("生年月日", K::era_date, 9),
    opt("個人番号", K::mynumber),
    opt("基礎年金番号課所符号", K::digits, 4),
    opt("基礎年金番号一連番号", K::digits, 6),
    {"喪失年月日元号", K::era},
    dated("喪失年月日", K::era_date, 14),
    choice("喪失原因", "4 5 7 9 11"),
    dated("原因年月日", K::near_date, 14, true),
    opt("保険証回収枚数", K::number, 2),
    opt("返不能枚数", K::number, 2),
    opt("70歳以上不該当", K::flag),
    dated("不該当年月日", K::near_date, 14, true),
    opt("二以上事業所勤務", K::flag),
    opt("退職後再雇用", K::flag),
    opt("その他", K::flag),
    opt("備考", K::text),
    {"予備", K::reserved},
    {"予備", K::reserved},
}};

// 月額変更届 (2221700) and 算定基礎届 (2225700) share the layout; 算定基礎届 leaves 昇降給区分
// optional. The rules across the three months are in csv_record.cpp.
constexpr std::array<FieldSpec, 41> remuneration(std::string_view period, bool raise_optional) {
    return {{
        {"様式コード", K::form_code},
        office("都道府県", 0),
        office("郡市区", 1),
        office("記号", 2),
        {"被保険者整理番号", K::seiri},
        {"氏名カナ", K::kana_name},
        {"氏名", K::name},
        {"生年月日元号", K::era},
        dated("生年月日", K::era_date, 8),
        {period, K::yymm},
        {"従前標準報酬月額健保", K::thousands},
        {"従前標準報酬月額厚年", K::thousands},
        {"従前改定月", K::yymm},
        choice("昇降給区分", "1 2", raise_optional),
        {"支給月1", K::month},
        {"基礎日数1", K::days},
        {"通貨1", K::money},
        {"現物1", K::money},
        {"合計1", K::money},
        {"支給月2", K::month},
        {"基礎日数2", K::days},
        {"通貨2", K::money},
        {"現物2", K::money},
        {"合計2", K::money},
        {"支給月3", K::month},
        {"基礎日数3", K::days},
        {"通貨3", K::money},
        {"現物3", K::money},
        {"合計3", K::money},
        {"総計", K::money},
        {"平均額", K::money},
        opt("修正平均額", K::money),
        opt("個人番号", K::mynumber),
        opt("基礎年金番号課所符号", K::digits, 4),
        opt("基礎年金番号一連番号", K::digits, 6),
        opt("70歳以上被用者", K::flag),
        opt("二以上事業所勤務", K::flag),
        opt("短時間労働者", K::flag),
        opt("昇降給理由", K::text),
        opt("健保のみ", K::flag),
        opt("備考", K::text),
    }};
}

constexpr std::array<FieldSpec, 41> k2221700 = remuneration("改定年月", false);
constexpr std::array<FieldSpec, 41> k2225700 = remuneration("適用年月", true);

// 賞与支払届
constexpr std::array<FieldSpec, 21> k2265700{{
    {"様式コード", K::form_code},
    office("都道府県", 0),
    office("郡市区", 1),
    office("記号", 2),
    {"被保険者整理番号", K::seiri},
    {"氏名カナ", K::kana_name},
    {"氏名", K::name},
    {"生年月日元号", K::era},
    dated("生年月日", K::era_date, 8),
    {"賞与支払年月日元号", K::era},
    dated("賞与支払年月日", K::era_date, 10),
    {"賞与額通貨", K::money},
    {"賞与額現物", K::money},
    {"賞与額合計", K::money},
    opt("個人番号", K::mynumber),
    opt("基礎年金番号課所符号", K::digits, 4),
    opt("基礎年金番号一連番号", K::digits, 6),
    opt("70歳以上被用者", K::flag),
    opt("二以上事業所勤務", K::flag),
    opt("初回支払日", K::day),
    opt("備考", K::text),
}};

constexpr std::array<FormLayout, 5> kForms{{
    {"2200700", k2200700, 13},
    {"2201700", k2201700, 11},
    {"2221700", k2221700, 33},
    {"2225700", k2225700, 33},
    {"2265700", k2265700, 15},
}};

}  // namespace

const FormLayout* find_form(std::string_view code) {
    for (const auto& form : kForms) {
        if (form.code == code)
            return &form;
    }
    return nullptr;
}

}  // namespace sekisho::inspect::csv

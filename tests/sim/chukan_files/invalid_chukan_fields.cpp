// Invalid records: E-CHUKAN-FIELD and E-CHUKAN-MYNUMBER, one broken rule per file, on the
// fixed first records of valid_chukan.hpp.

#include <array>

#include "daemon/inspect/chukan_reason_codes.hpp"
#include "tests/sim/chukan_files/invalid_chukan.hpp"

namespace sekisho::sim::chukan_files {
namespace {

namespace code = sekisho::inspect::code;

// Field `field` (1-based, as the spec counts) of record `record` (0-based) set to `value`.
Edit change(std::size_t record, std::size_t field, std::string value) {
    return [=](Draft& d) { d.records.at(record).at(field - 1) = value; };
}

std::string fullwidth(const std::string& digits) {
    static constexpr std::array<const char*, 10> kDigits{"０", "１", "２", "３", "４",
                                                         "５", "６", "７", "８", "９"};
    std::string out;
    for (const char c : digits)
        out += kDigits[static_cast<std::size_t>(c - '0')];
    return out;
}

void shikaku_field_cases(Cases& c) {
    const auto f = code::chukan_field;
    c.add(f, "SHIKAKU-REG-REQ", "処理区分 4", change(0, 1, "4"));
    c.add(f, "SHIKAKU-REG-REQ", "性別 3", change(0, 8, "3"));
    c.add(f, "SHIKAKU-REG-REQ", "生年月日 on 29 February of a common year",
          change(0, 7, "20250229"));
    c.add(f, "SHIKAKU-REG-REQ", "no 被保険者枝番 for 処理区分 2", change(0, 4, ""));
    c.add(f, "SHIKAKU-REG-REQ", "資格喪失年月日 before 資格取得年月日", change(1, 10, "19000101"));
    std::string long_name;
    for (int i = 0; i < 51; ++i)
        long_name += "長";
    c.add(f, "SHIKAKU-REG-REQ", "氏名 longer than 100 bytes", change(0, 5, long_name));
    c.add(f, "SHIKAKU-REG-RES", "結果コード not digits", change(0, 4, "E1"));
    c.add(f, "SHIKAKU-REG-RES", "エラー内容 although 結果コード is 0", change(0, 5, "警告あり"));
}

void honnin_field_cases(Cases& c) {
    const auto f = code::chukan_field;
    c.add(f, "HONNIN-REQ", "主たる照会条件 2 without 生年月日", change(1, 5, ""));
    c.add(f, "HONNIN-REQ", "要求レコード番号 repeated", change(1, 1, "1"));
    c.add(f, "HONNIN-REQ", "氏名かな in kanji", change(1, 4, "田中　花子"));
    c.add(f, "HONNIN-REQ", "照会基準日 with dashes", change(0, 8, "2026-11-24"));
    c.add(f, "HONNIN-RES", "処理結果 3", change(0, 2, "3"));
    c.add(f, "HONNIN-RES", "氏名 although 処理結果 is 1", change(2, 5, "山田　太郎"));
    c.add(f, "HONNIN-RES", "異動事由 without 異動年月日", change(0, 11, ""));
    c.add(f, "HONNIN-RES", "no 生存状況 although 処理結果 is 0", change(0, 3, ""));
}

void shokai_field_cases(Cases& c) {
    const auto f = code::chukan_field;
    c.add(f, "SHOKAI-REQ", "a record with a sixth field",
          [](Draft& d) { d.records[0].push_back("00"); });
    c.add(f, "SHOKAI-REQ", "a TAB in 事務名称", change(0, 2, "健康保険\t事務"));
    c.add(f, "SHOKAI-RES", "提供の日時 at 25:60", change(0, 4, "20261124256000"));
    c.add(f, "SHOKAI-RES", "結果データ although 不開示コード is set", change(0, 5, "11"));
    c.add(f, "SHOKAI-RES", "an empty line among the records", {}, [](std::string& b) {
        const auto second = b.find("\r\n", b.find("\r\n") + 2);
        b.insert(second + 2, "\r\n");
    });
}

void mynumber_cases(Cases& c) {
    const auto m = code::chukan_mynumber;
    const std::string good = filings::make_mynumber(c.rng());
    c.add(m, "SHIKAKU-REG-REQ", "個人番号 with a wrong check digit",
          change(0, 3, filings::make_bad_mynumber(c.rng())));
    c.add(m, "SHIKAKU-REG-REQ", "個人番号 in full-width digits", change(0, 3, fullwidth(good)));
    c.add(m, "HONNIN-REQ", "個人番号 of 11 digits", change(0, 3, good.substr(0, 11)));
    c.add(m, "HONNIN-REQ", "個人番号 although 主たる照会条件 is 2", change(1, 3, good));
    c.add(m, "HONNIN-RES", "個人番号 although 処理結果 is 2 (複数該当)", change(1, 4, good));
    c.add(m, "HONNIN-RES", "個人番号 although 処理結果 is 1 (該当なし)", change(2, 4, good));
    c.add(m, "SHOKAI-RES", "a 個人番号 in 結果データ", change(0, 8, "照会対象者：" + good));
    c.add(m, "SHIKAKU-REG-RES", "a 個人番号 in full-width digits in エラー内容",
          change(1, 5, "個人番号" + fullwidth(good) + "が重複しています"));
}

}  // namespace

void add_field_cases(Cases& c) {
    shikaku_field_cases(c);
    honnin_field_cases(c);
    shokai_field_cases(c);
    mynumber_cases(c);
}

}  // namespace sekisho::sim::chukan_files

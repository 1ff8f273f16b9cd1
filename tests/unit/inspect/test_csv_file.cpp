// KPFD0006.CSV (spec §4) and the 個人番号 policy in it (spec §5): hand-made files for each rule,
// then every KPFD0006.CSV the real generator writes, against the codes its sidecar expects.

#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "daemon/inspect/csv_fields.hpp"
#include "daemon/inspect/csv_file.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "tests/sim/filings/text_encoding.hpp"

namespace {

namespace code = sekisho::inspect::code;
using sekisho::inspect::check_csv;
using sekisho::inspect::CsvSummary;
using sekisho::inspect::Options;
using sekisho::inspect::Verdict;
using sekisho::sim::filings::utf8_to_cp932;

using Lines = std::vector<std::vector<std::string>>;

// A valid file with one record of each form, written by hand from the spec's table.
Lines valid_lines() {
    return {
        {"23", "05", "ｱｲｳ", "001", "20261124", "22223"},
        {"[kanri]"},
        {"", "001"},
        {"23", "05", "ｱｲｳ", "01234", "460", "0008", "愛知県名古屋市中区栄１丁目２番３号",
         "株式会社みどり食品", "田中　一郎", "052", "231", "4567"},
        {"[data]"},
        {"2200700",
         "23",
         "05",
         "ｱｲｳ",
         "01234",
         "17",
         "ﾀﾅｶ ﾀﾛｳ",
         "田中　太郎",
         "5",
         "550415",
         "1",
         "1",
         "621498320257",
         "",
         "",
         "0",
         "9",
         "081101",
         "250000",
         "0",
         "",
         "",
         "250000",
         "",
         "",
         "",
         "新規採用",
         "",
         "",
         "",
         "",
         "",
         "",
         ""},
        {"2201700",
         "23",
         "05",
         "ｱｲｳ",
         "01234",
         "18",
         "ｽｽﾞｷ ﾊﾅｺ",
         "鈴木　花子",
         "7",
         "020311",
         "123456789018",
         "",
         "",
         "9",
         "081031",
         "4",
         "081030",
         "2",
         "0",
         "",
         "",
         "",
         "",
         "",
         "退職",
         "",
         ""},
        {"2221700",    "23",     "05",
         "ｱｲｳ",        "19",     "ｻﾄｳ ｹﾝﾀ",
         "佐藤　健太", "7",      "050607",
         "0810",       "260",    "260",
         "0709",       "1",      "07",
         "31",         "300000", "0",
         "300000",     "08",     "31",
         "310000",     "0",      "310000",
         "09",         "30",     "320000",
         "0",          "320000", "930000",
         "310000",     "",       "",
         "1234",       "567890", "",
         "",           "",       "基本給の改定",
         "",           ""},
        {"2225700", "23",     "05",     "ｱｲｳ",    "20", "ｲﾄｳ ﾏｺﾄ", "伊藤　誠", "5",      "600101",
         "0809",    "280",    "280",    "0709",   "",   "04",      "30",       "280000", "0",
         "280000",  "05",     "31",     "281000", "0",  "281000",  "06",       "30",     "272010",
         "10000",   "282010", "843010", "281003", "",   "",        "1234",     "567890", "",
         "",        "",       "",       "",       ""},
        {"2265700", "23",     "05",     "ｱｲｳ",    "21",     "ﾔﾏﾀﾞ ﾕﾐ", "山田　由美",
         "5",       "600101", "9",      "081120", "523456", "10000",   "533000",
         "",        "1234",   "567890", "",       "",       "",        "賞与"},
    };
}

std::string join(const Lines& lines, const std::string& eol = "\r\n") {
    std::string text;
    for (const auto& line : lines) {
        for (std::size_t i = 0; i < line.size(); ++i)
            text += (i == 0 ? "" : ",") + line[i];
        text += eol;
    }
    return text;
}

std::string encode(const Lines& lines, const std::string& eol = "\r\n") {
    return utf8_to_cp932(join(lines, eol));
}

struct Result {
    Verdict verdict;
    CsvSummary summary;
    std::set<std::string> codes() const { return verdict.codes(); }
    bool at(std::string_view c, const std::string& where) const {
        for (const auto& r : verdict.reasons()) {
            if (r.code == c && r.where == where)
                return true;
        }
        return false;
    }
};

Result check(const std::string& bytes, const Options& options = {}) {
    Result r;
    r.summary = check_csv(bytes, options, r.verdict);
    return r;
}

// Line index (0-based) of the record of `form` in valid_lines().
std::size_t record_index(const std::string& form) {
    const Lines lines = valid_lines();
    for (std::size_t i = 5; i < lines.size(); ++i) {
        if (lines[i][0] == form)
            return i;
    }
    throw std::logic_error("no record of " + form);
}

// valid_lines() with field `n` (1-based) of the `form` record set to `value`.
Lines with_field(const std::string& form, std::size_t n, const std::string& value) {
    Lines lines = valid_lines();
    lines[record_index(form)].at(n - 1) = value;
    return lines;
}

std::string where(const std::string& form, std::size_t n) {
    return "KPFD0006.CSV:" + std::to_string(record_index(form) + 1) + " field " + std::to_string(n);
}

// Exactly `c`, reported at field `n` of the `form` record.
void expect_field(const Lines& lines, std::string_view c, const std::string& form, std::size_t n,
                  const Options& options = {}) {
    const Result r = check(encode(lines), options);
    INFO(sekisho::inspect::to_json(r.verdict));
    CHECK(r.codes() == std::set<std::string>{std::string(c)});
    CHECK(r.at(c, where(form, n)));
}

void expect_code(const std::string& bytes, std::string_view c, const std::string& where_) {
    const Result r = check(bytes);
    INFO(sekisho::inspect::to_json(r.verdict));
    CHECK(r.codes() == std::set<std::string>{std::string(c)});
    CHECK(r.at(c, where_));
}

}  // namespace

// --- a valid file -----------------------------------------------------------------------------

TEST_CASE("the hand-made file of all five forms is accepted and counted") {
    const Result r = check(encode(valid_lines()));
    INFO(sekisho::inspect::to_json(r.verdict));
    CHECK(r.verdict.accepted());
    CHECK(r.summary.readable);
    CHECK(r.summary.counts ==
          std::map<std::string, long>{
              {"2200700", 1}, {"2201700", 1}, {"2221700", 1}, {"2225700", 1}, {"2265700", 1}});
}

TEST_CASE("a file without a final CRLF is accepted") {
    std::string bytes = encode(valid_lines());
    bytes.resize(bytes.size() - 2);
    CHECK(check(bytes).verdict.accepted());
}

TEST_CASE("records of one form are counted together") {
    Lines lines = valid_lines();
    lines.push_back(lines[record_index("2265700")]);
    lines.back()[4] = "22";
    const Result r = check(encode(lines));
    CHECK(r.verdict.accepted());
    CHECK(r.summary.counts.at("2265700") == 2);
}

// --- E-CSV-ENCODING ---------------------------------------------------------------------------

TEST_CASE("LF line ends are an encoding problem, and the records are still counted") {
    const Result r = check(encode(valid_lines(), "\n"));
    CHECK(r.codes() == std::set<std::string>{std::string(code::csv_encoding)});
    CHECK(r.at(code::csv_encoding, "KPFD0006.CSV:1"));
    CHECK(r.summary.readable);
    CHECK(r.summary.counts.size() == 5);
}

TEST_CASE("a CR without LF is an encoding problem") {
    Lines lines = valid_lines();
    lines[record_index("2200700")][26] = "新規\r採用";
    expect_code(encode(lines), code::csv_encoding, "KPFD0006.CSV:6");
}

TEST_CASE("a NUL byte is an encoding problem and stops the field checks") {
    std::string bytes = encode(valid_lines());
    const auto pos = bytes.find(utf8_to_cp932("新規採用"));
    REQUIRE(pos != std::string::npos);
    bytes.insert(pos + 2, 1, '\0');
    const Result r = check(bytes);
    CHECK(r.codes() == std::set<std::string>{std::string(code::csv_encoding)});
    CHECK(r.at(code::csv_encoding, "KPFD0006.CSV:6"));
    CHECK_FALSE(r.summary.readable);
}

TEST_CASE("a byte that is not CP932 is an encoding problem") {
    std::string bytes = encode(valid_lines());
    const auto pos = bytes.find(utf8_to_cp932("賞与"));
    bytes.insert(pos, "\x80");
    expect_code(bytes, code::csv_encoding, "KPFD0006.CSV:10");
    // A double-byte lead byte cut off by the line end.
    bytes = encode(valid_lines());
    bytes.insert(bytes.find("\r\n"), "\x88");
    expect_code(bytes, code::csv_encoding, "KPFD0006.CSV:1");
}

TEST_CASE("a file in UTF-8 is an encoding problem and nothing else") {
    const Result r = check(join(valid_lines()));
    CHECK(r.codes() == std::set<std::string>{std::string(code::csv_encoding)});
    CHECK_FALSE(r.summary.readable);
}

TEST_CASE("quoting is not allowed") {
    Lines lines = valid_lines();
    lines[record_index("2201700")][24] = "\"退職\"";
    expect_code(encode(lines), code::csv_encoding, "KPFD0006.CSV:7");
}

TEST_CASE("empty lines after the final CRLF are an encoding problem") {
    expect_code(encode(valid_lines()) + "\r\n", code::csv_encoding, "KPFD0006.CSV:11");
    expect_code(encode(valid_lines()) + "\r\n\r\n", code::csv_encoding, "KPFD0006.CSV:12");
}

// --- E-CSV-STRUCTURE --------------------------------------------------------------------------

TEST_CASE("header lines that are missing or wrong are structure problems") {
    Lines lines = valid_lines();
    lines.erase(lines.begin() + 1);  // [kanri]
    const Result missing = check(encode(lines));
    CHECK(missing.codes() == std::set<std::string>{std::string(code::csv_structure)});
    CHECK(missing.at(code::csv_structure, "KPFD0006.CSV:2"));
    CHECK(missing.summary.readable);

    lines = valid_lines();
    lines[2][1] = "002";
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:3");

    lines = valid_lines();
    lines[0][5] = "22224";
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:1 field 6");

    lines = valid_lines();
    lines[0][4] = "20261131";
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:1 field 5");

    lines = valid_lines();
    lines[0].pop_back();
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:1");
}

TEST_CASE("a 事業所 record without 12 fields or with a broken field is a structure problem") {
    Lines lines = valid_lines();
    lines[3].pop_back();
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:4");

    lines = valid_lines();
    lines[3][3] = "1234";  // 事業所番号 of 4 digits
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:4 field 4");

    lines = valid_lines();
    lines[3][4] = "46a";
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:4 field 5");
}

TEST_CASE("a file without its data line cannot be counted and one without records is incomplete") {
    Lines lines = valid_lines();
    lines.erase(lines.begin() + 4);
    const Result no_data = check(encode(lines));
    CHECK(no_data.codes() == std::set<std::string>{std::string(code::csv_structure)});
    CHECK_FALSE(no_data.summary.readable);

    lines = valid_lines();
    lines.resize(5);
    const Result no_records = check(encode(lines));
    CHECK(no_records.codes() == std::set<std::string>{std::string(code::csv_structure)});
    CHECK(no_records.at(code::csv_structure, "KPFD0006.CSV:5"));
    CHECK(no_records.summary.readable);
    CHECK(no_records.summary.counts.empty());

    CHECK(check("").codes() == std::set<std::string>{std::string(code::csv_structure)});
}

TEST_CASE("a record whose 事業所 fields differ from line 4 is a structure problem") {
    expect_field(with_field("2200700", 5, "01235"), code::csv_structure, "2200700", 5);
    expect_field(with_field("2265700", 4, "ｱｲｴ"), code::csv_structure, "2265700", 4);
    expect_field(with_field("2221700", 2, "13"), code::csv_structure, "2221700", 2);
}

TEST_CASE("an empty line among the records is a structure problem") {
    Lines lines = valid_lines();
    lines.insert(lines.begin() + 6, std::vector<std::string>{""});
    expect_code(encode(lines), code::csv_structure, "KPFD0006.CSV:7");
}

// --- E-CSV-FORM -------------------------------------------------------------------------------

TEST_CASE("an unknown 様式コード is a form problem, and its record is still counted") {
    Lines lines = valid_lines();
    lines[record_index("2265700")][0] = "2299700";
    const Result r = check(encode(lines));
    CHECK(r.codes() == std::set<std::string>{std::string(code::csv_form)});
    CHECK(r.at(code::csv_form, "KPFD0006.CSV:10 field 1"));
    CHECK(r.summary.counts.at("2299700") == 1);
    CHECK(r.summary.counts.count("2265700") == 0);
}

TEST_CASE("a record with one field too few or too many is a form problem") {
    for (const std::string form : {"2200700", "2201700", "2221700", "2225700", "2265700"}) {
        INFO(form);
        Lines lines = valid_lines();
        lines[record_index(form)].pop_back();
        expect_code(encode(lines), code::csv_form,
                    "KPFD0006.CSV:" + std::to_string(record_index(form) + 1));
        lines = valid_lines();
        lines[record_index(form)].push_back("");
        expect_code(encode(lines), code::csv_form,
                    "KPFD0006.CSV:" + std::to_string(record_index(form) + 1));
    }
}

// --- E-CSV-FIELD ------------------------------------------------------------------------------

TEST_CASE("dates must be real and inside their era") {
    Lines lines = with_field("2200700", 17, "7");
    lines[record_index("2200700")][17] = "310501";  // 平成31年5月1日 is 令和元年
    expect_field(lines, code::csv_field, "2200700", 18);
    lines[record_index("2200700")][17] = "310430";
    CHECK(check(encode(lines)).verdict.accepted());

    lines = with_field("2201700", 9, "5");
    lines[record_index("2201700")][9] = "550230";  // February 30
    expect_field(lines, code::csv_field, "2201700", 10);

    expect_field(with_field("2265700", 8, "2"), code::csv_field, "2265700", 8);  // no 元号 2
    expect_field(with_field("2265700", 9, "60010"), code::csv_field, "2265700", 9);
}

TEST_CASE("era boundaries of 明治, 大正, 昭和, 平成 and 令和") {
    using sekisho::inspect::csv::check_era_date;
    const auto ok = [](const char* era, const char* date) {
        return check_era_date(era, date) == nullptr;
    };
    CHECK(ok("1", "011023"));
    CHECK_FALSE(ok("1", "011022"));
    CHECK(ok("1", "450729"));
    CHECK_FALSE(ok("1", "450730"));
    CHECK(ok("3", "010730"));
    CHECK_FALSE(ok("3", "010729"));
    CHECK(ok("3", "151224"));
    CHECK_FALSE(ok("3", "151225"));
    CHECK(ok("5", "011225"));
    CHECK_FALSE(ok("5", "011224"));
    CHECK(ok("5", "640107"));
    CHECK_FALSE(ok("5", "640108"));
    CHECK(ok("7", "010108"));
    CHECK_FALSE(ok("7", "010107"));
    CHECK(ok("7", "310430"));
    CHECK_FALSE(ok("7", "310501"));
    CHECK(ok("9", "010501"));
    CHECK_FALSE(ok("9", "010430"));
    CHECK(ok("9", "020229"));  // 2020 is a leap year
    CHECK_FALSE(ok("9", "030229"));
    CHECK_FALSE(ok("9", "000601"));
    CHECK_FALSE(ok("9", "081301"));
    CHECK_FALSE(ok("9", "080100"));
    CHECK_FALSE(ok("2", "080101"));
    CHECK_FALSE(ok("9", "08010a"));
}

TEST_CASE("氏名カナ is half-width katakana with one half-width space, at most 25 bytes") {
    expect_field(with_field("2221700", 6, "タナカ　タロウ"), code::csv_field, "2221700", 6);
    expect_field(with_field("2221700", 6, "ﾀﾅｶﾀﾛｳ"), code::csv_field, "2221700", 6);
    expect_field(with_field("2221700", 6, "ﾀﾅｶ  ﾀﾛｳ"), code::csv_field, "2221700", 6);
    expect_field(with_field("2221700", 6, "ﾀﾅｶ ﾀﾛｳ "), code::csv_field, "2221700", 6);
    expect_field(with_field("2221700", 6, "Tanaka Taro"), code::csv_field, "2221700", 6);
    // ｧ (0xA7) and ﾟ (0xDF) are inside 0xA6..0xDF; 25 bytes are allowed, 26 are not.
    CHECK(check(encode(with_field("2221700", 6, "ﾁｬｰﾘｰ ﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊ"))).verdict.accepted());
    expect_field(with_field("2221700", 6, "ﾁｬｰﾘｰ ﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟﾊﾟ"), code::csv_field, "2221700",
                 6);
    expect_field(with_field("2200700", 7, ""), code::csv_field, "2200700", 7);
}

TEST_CASE("氏名 has at most 24 bytes") {
    expect_field(with_field("2225700", 7, "勅使河原　左衛門三郎太郎兵衛"), code::csv_field,
                 "2225700", 7);
    CHECK(check(encode(with_field("2225700", 7, "勅使河原　左衛門三郎太郎"))).verdict.accepted());
    expect_field(with_field("2225700", 7, ""), code::csv_field, "2225700", 7);
}

TEST_CASE("報酬月額合計 is 通貨 + 現物 and at least 1000") {
    expect_field(with_field("2200700", 23, "251000"), code::csv_field, "2200700", 23);
    Lines lines = with_field("2200700", 19, "900");
    lines[record_index("2200700")][22] = "900";
    expect_field(lines, code::csv_field, "2200700", 23);
    lines = with_field("2200700", 19, "249000");
    lines[record_index("2200700")][19] = "1000";
    CHECK(check(encode(lines)).verdict.accepted());
}

TEST_CASE("money is digits only") {
    expect_field(with_field("2200700", 19, "25万"), code::csv_field, "2200700", 19);
    expect_field(with_field("2200700", 20, "-1"), code::csv_field, "2200700", 20);
    expect_field(with_field("2221700", 11, "2600000000"), code::csv_field, "2221700", 11);
}

TEST_CASE("month totals, 総計 and 平均額 of 月額変更届 and 算定基礎届") {
    expect_field(with_field("2221700", 19, "300001"), code::csv_field, "2221700", 19);
    expect_field(with_field("2221700", 30, "930001"), code::csv_field, "2221700", 30);
    expect_field(with_field("2221700", 31, "310001"), code::csv_field, "2221700", 31);
    expect_field(with_field("2225700", 31, "281004"), code::csv_field, "2225700", 31);
    expect_field(with_field("2225700", 15, "07"), code::csv_field, "2225700", 15);
    expect_field(with_field("2221700", 15, "13"), code::csv_field, "2221700", 15);
    expect_field(with_field("2221700", 16, "32"), code::csv_field, "2221700", 16);
    expect_field(with_field("2221700", 10, "0813"), code::csv_field, "2221700", 10);
    // 昇降給区分 is required in 月額変更届 only.
    expect_field(with_field("2221700", 14, ""), code::csv_field, "2221700", 14);
    expect_field(with_field("2225700", 14, "3"), code::csv_field, "2225700", 14);
}

TEST_CASE("賞与額合計 is 通貨 + 現物 truncated to whole thousands") {
    expect_field(with_field("2265700", 14, "533456"), code::csv_field, "2265700", 14);
    expect_field(with_field("2265700", 14, "534000"), code::csv_field, "2265700", 14);
}

TEST_CASE("整理番号 is 1..999999") {
    expect_field(with_field("2200700", 6, "0"), code::csv_field, "2200700", 6);
    expect_field(with_field("2200700", 6, "1000000"), code::csv_field, "2200700", 6);
    CHECK(check(encode(with_field("2200700", 6, "999999"))).verdict.accepted());
}

TEST_CASE("enumerations, flags, fixed digits and empty 予備") {
    expect_field(with_field("2200700", 11, "4"), code::csv_field, "2200700", 11);
    expect_field(with_field("2200700", 12, "2"), code::csv_field, "2200700", 12);
    expect_field(with_field("2200700", 16, "2"), code::csv_field, "2200700", 16);
    expect_field(with_field("2200700", 21, "2"), code::csv_field, "2200700", 21);
    expect_field(with_field("2200700", 28, "x"), code::csv_field, "2200700", 28);
    expect_field(with_field("2200700", 33, "4"), code::csv_field, "2200700", 33);
    expect_field(with_field("2201700", 16, "6"), code::csv_field, "2201700", 16);
    expect_field(with_field("2201700", 12, "123"), code::csv_field, "2201700", 12);
    expect_field(with_field("2201700", 17, "081131"), code::csv_field, "2201700", 17);
    expect_field(with_field("2265700", 20, "32"), code::csv_field, "2265700", 20);
    CHECK(check(encode(with_field("2201700", 16, "11"))).verdict.accepted());
    CHECK(check(encode(with_field("2200700", 21, "1"))).verdict.accepted());
}

TEST_CASE("control characters in free text break its rule") {
    expect_field(with_field("2200700", 27, "新規\t採用"), code::csv_field, "2200700", 27);
}

TEST_CASE("every broken field of a record is reported") {
    Lines lines = with_field("2200700", 6, "0");
    lines[record_index("2200700")][10] = "9";
    lines[record_index("2265700")][13] = "1";
    const Result r = check(encode(lines));
    CHECK(r.at(code::csv_field, where("2200700", 6)));
    CHECK(r.at(code::csv_field, where("2200700", 11)));
    CHECK(r.at(code::csv_field, where("2265700", 14)));
}

// --- 個人番号 ---------------------------------------------------------------------------------

TEST_CASE("a 個人番号 with a wrong check digit") {
    expect_field(with_field("2200700", 13, "621498320258"), code::mynumber_checkdigit, "2200700",
                 13);
    expect_field(with_field("2201700", 11, "123456789010"), code::mynumber_checkdigit, "2201700",
                 11);
    expect_field(with_field("2201700", 11, "12345678901"), code::csv_field, "2201700", 11);
}

TEST_CASE("a filled 個人番号 field in a form that may not carry one") {
    expect_field(with_field("2265700", 15, "621498320257"), code::mynumber_not_allowed, "2265700",
                 15);
    expect_field(with_field("2225700", 33, "123456789018"), code::mynumber_not_allowed, "2225700",
                 33);
    expect_field(with_field("2221700", 33, "123456789018"), code::mynumber_not_allowed, "2221700",
                 33);
    // The allowed forms come from the options.
    Options options;
    options.mynumber_allowed_forms = {"2200700", "2201700", "2265700"};
    CHECK(check(encode(with_field("2265700", 15, "621498320257")), options).verdict.accepted());
    options.mynumber_allowed_forms = {"2201700"};
    expect_field(valid_lines(), code::mynumber_not_allowed, "2200700", 13, options);
}

TEST_CASE("a stray 個人番号 in free text is not allowed, in any form") {
    expect_field(with_field("2200700", 27, "確認用621498320257"), code::mynumber_not_allowed,
                 "2200700", 27);
    expect_field(with_field("2200700", 34, "番号１２３４５６７８９０１８"),
                 code::mynumber_not_allowed, "2200700", 34);
    expect_field(with_field("2200700", 32, "愛知県123456789018"), code::mynumber_not_allowed,
                 "2200700", 32);
    expect_field(with_field("2200700", 31, "ｱｲﾁｹﾝ 123456789018"), code::mynumber_not_allowed,
                 "2200700", 31);
    expect_field(with_field("2221700", 39, "621498320257"), code::mynumber_not_allowed, "2221700",
                 39);
    expect_field(with_field("2201700", 25, "621498320257"), code::mynumber_not_allowed, "2201700",
                 25);
    Lines lines = valid_lines();
    lines[3][7] = "株式会社621498320257";
    expect_code(encode(lines), code::mynumber_not_allowed, "KPFD0006.CSV:4 field 8");
}

TEST_CASE("digits in free text that are no 個人番号 are fine") {
    CHECK(check(encode(with_field("2200700", 27, "確認用621498320258"))).verdict.accepted());
    CHECK(check(encode(with_field("2200700", 27, "確認用1621498320257"))).verdict.accepted());
    CHECK(check(encode(with_field("2200700", 27, "電話052-231-4567"))).verdict.accepted());
}

TEST_CASE("reasons name the rule and the position, never the value") {
    Lines lines = with_field("2200700", 27, "確認用621498320257");
    lines[record_index("2265700")][14] = "123456789018";
    lines[record_index("2201700")][10] = "123456789010";
    lines[record_index("2225700")][6] = "勅使河原　左衛門三郎太郎兵衛";
    const Result r = check(encode(lines));
    REQUIRE(r.verdict.reasons().size() >= 4);
    for (const auto& reason : r.verdict.reasons()) {
        for (const std::string& value :
             std::vector<std::string>{"621498320257", "123456789018", "123456789010", "勅使河原",
                                      utf8_to_cp932("勅使河原")}) {
            CHECK(reason.where.find(value) == std::string::npos);
            CHECK(reason.detail.find(value) == std::string::npos);
        }
    }
}

TEST_CASE("a flood of broken lines stays within the verdict's cap") {
    Lines lines = valid_lines();
    for (int i = 0; i < 5000; ++i)
        lines.push_back(lines[record_index("2265700")]);
    for (std::size_t i = 5; i < lines.size(); ++i)
        lines[i][0] = "2299700";
    const Result r = check(encode(lines, "\n"));
    CHECK(r.verdict.reasons().size() <= 2 * Verdict::kMaxPerCode);
    CHECK(r.summary.counts.at("2299700") == 5005);
}

// 中間サーバー files (spec/chukan-api.md, Files; rules in chukan_file.hpp and
// chukan_kinds.cpp): hand-made small files of each kind, one rule broken at a time.

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "daemon/inspect/chukan_file.hpp"
#include "daemon/inspect/chukan_reason_codes.hpp"
#include "tests/sim/filings/text_encoding.hpp"

namespace {

namespace code = sekisho::inspect::code;
using sekisho::inspect::ChukanInspection;
using sekisho::inspect::ChukanLimits;
using sekisho::inspect::inspect_chukan_file;
using sekisho::sim::filings::utf8_to_cp932;

using Lines = std::vector<std::string>;  // UTF-8, without line ends
using Codes = std::set<std::string>;

// Valid files written by hand from the spec's table and chukan_kinds.cpp's rules.
Lines valid(const std::string& kind) {
    if (kind == "SHIKAKU-REG-REQ")
        return {"H,SHIKAKU-REG-REQ,06230017,20261124100000,2",
                "2,K000000001,621498320257,00,田中　太郎,ﾀﾅｶ ﾀﾛｳ,19800415,1,20030401,",
                "1,K000000002,123456789018,,鈴木　花子,ｽｽﾞｷ ﾊﾅｺ,19900311,2,20120401,20200331",
                "T,2"};
    if (kind == "SHIKAKU-REG-RES")
        return {"H,SHIKAKU-REG-RES,06230017,20261124100000,2", "2,K000000001,00,0,",
                "1,K000000002,,1203,資格取得年月日が不正です", "T,2"};
    if (kind == "HONNIN-REQ")
        return {"H,HONNIN-REQ,06230017,20261124100000,2", "1,1,621498320257,,,,,20261124",
                "2,2,,ｽｽﾞｷ ﾊﾅｺ,19900311,2,愛知県名古屋市中区栄１丁目,20261124", "T,2"};
    if (kind == "HONNIN-RES")
        return {"H,HONNIN-RES,06230017,20261124100000,4",
                "1,0,1,621498320257,田中　太郎,ﾀﾅｶ ﾀﾛｳ,19800415,1,愛知県名古屋市中区栄１丁目,01,"
                "20260401",
                "2,2,,,,ｽｽﾞｷ ﾊﾅｺ,19900311,,,,",
                "3,1,,,,,,,,,",
                "5,2,,,,,,,,,",
                "T,4"};
    if (kind == "SHOKAI-REQ")
        return {"H,SHOKAI-REQ,06230017,20261124100000,1",
                "2026112400000101,健康保険法による保険給付の支給に関する事務,高額療養費の支給,"
                "地方税関係情報,00",
                "T,1"};
    return {"H,SHOKAI-RES,06230017,20261124100000,2",
            "2026112400000101,1,地方税関係情報,20261124103000,,,00,課税区分：非課税",
            "2026112400000102,1,地方税関係情報,20261124103000,11,,00,", "T,2"};
}

const std::vector<std::string> kKinds{"SHIKAKU-REG-REQ", "SHIKAKU-REG-RES", "HONNIN-REQ",
                                      "HONNIN-RES",      "SHOKAI-REQ",      "SHOKAI-RES"};

std::string join(const Lines& lines, const std::string& eol = "\r\n") {
    std::string text;
    for (const auto& l : lines)
        text += l + eol;
    return text;
}

std::string encode(const Lines& lines, const std::string& eol = "\r\n") {
    return utf8_to_cp932(join(lines, eol));
}

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out{""};
    for (const char c : line) {
        if (c == ',')
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

// `lines` with field `n` (1-based) of line `index` (0-based) set to `value`.
Lines with_field(Lines lines, std::size_t index, std::size_t n, const std::string& value) {
    auto fields = split(lines.at(index));
    fields.at(n - 1) = value;
    std::string joined;
    for (std::size_t i = 0; i < fields.size(); ++i)
        joined += (i == 0 ? "" : ",") + fields[i];
    lines[index] = joined;
    return lines;
}

ChukanInspection check(const std::string& bytes, const std::string& kind,
                       const ChukanLimits& limits = {}) {
    return inspect_chukan_file(bytes, kind, limits);
}

bool reported_at(const ChukanInspection& in, std::string_view c, const std::string& where) {
    for (const auto& r : in.verdict.reasons()) {
        if (r.code == c && r.where == where)
            return true;
    }
    return false;
}

// Exactly `c`, reported at `where`.
void expect(const std::string& bytes, const std::string& kind, std::string_view c,
            const std::string& where, const ChukanLimits& limits = {}) {
    const auto in = check(bytes, kind, limits);
    INFO(sekisho::inspect::to_json(in.verdict));
    CHECK(in.verdict.codes() == Codes{std::string(c)});
    CHECK(reported_at(in, c, where));
}

// Field `n` of line `index` (0-based) of the valid `kind` file set to `value`: exactly `c`
// at that field.
void expect_field(const std::string& kind, std::size_t index, std::size_t n,
                  const std::string& value, std::string_view c = code::chukan_field) {
    INFO(kind << " line " << index + 1 << " field " << n << " = " << value);
    expect(encode(with_field(valid(kind), index, n, value)), kind, c,
           "line " + std::to_string(index + 1) + " field " + std::to_string(n));
}

}  // namespace

// --- valid files ---------------------------------------------------------------------------

TEST_CASE("the hand-made file of each kind is accepted and its records counted") {
    for (const auto& kind : kKinds) {
        const auto lines = valid(kind);
        const auto in = check(encode(lines), kind);
        INFO(kind << ": " << sekisho::inspect::to_json(in.verdict));
        CHECK(in.verdict.accepted());
        CHECK(in.records == static_cast<std::int64_t>(lines.size() - 2));
    }
}

TEST_CASE("HONNIN-RES records with 処理結果 2 are counted in a flag, other kinds have none") {
    CHECK(check(encode(valid("HONNIN-RES")), "HONNIN-RES").flags ==
          std::vector<std::string>{"honnin-multiple-matches:2"});
    const Lines none{"H,HONNIN-RES,06230017,20261124100000,1", "1,1,,,,,,,,,", "T,1"};
    CHECK(check(encode(none), "HONNIN-RES").flags.empty());
    for (const auto& kind : kKinds) {
        if (kind != "HONNIN-RES")
            CHECK(check(encode(valid(kind)), kind).flags.empty());
    }
}

TEST_CASE("a file without a final CRLF is accepted") {
    std::string bytes = encode(valid("SHOKAI-REQ"));
    bytes.resize(bytes.size() - 2);
    CHECK(check(bytes, "SHOKAI-REQ").verdict.accepted());
}

TEST_CASE("full-width katakana in 氏名かな is accepted") {
    const auto lines = with_field(valid("HONNIN-REQ"), 2, 4, "スズキ　ハナコ");
    CHECK(check(encode(lines), "HONNIN-REQ").verdict.accepted());
}

// --- E-CHUKAN-ENCODING ---------------------------------------------------------------------

TEST_CASE("LF line ends are an encoding problem and the file is still checked") {
    const auto in = check(encode(valid("HONNIN-REQ"), "\n"), "HONNIN-REQ");
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_encoding)});
    CHECK(reported_at(in, code::chukan_encoding, "line 1"));
    CHECK(in.records == 2);
}

TEST_CASE("a CR without LF and a quote are encoding problems") {
    expect(encode(with_field(valid("HONNIN-REQ"), 2, 7, "愛知県\r名古屋市")), "HONNIN-REQ",
           code::chukan_encoding, "line 3");
    expect(encode(with_field(valid("SHIKAKU-REG-REQ"), 1, 5, "\"田中　太郎\"")), "SHIKAKU-REG-REQ",
           code::chukan_encoding, "line 2");
}

TEST_CASE("bytes that are not CP932 leave only the encoding problem") {
    // Line 2 also breaks a field rule: undecodable text says nothing about its fields.
    std::string bytes = encode(with_field(valid("SHIKAKU-REG-REQ"), 1, 8, "3"));
    bytes.insert(bytes.find(utf8_to_cp932("太郎")), "\x80");
    expect(bytes, "SHIKAKU-REG-REQ", code::chukan_encoding, "line 2");
    // A NUL byte.
    bytes = encode(valid("SHOKAI-REQ"));
    bytes.insert(bytes.find(utf8_to_cp932("事務")), 1, '\0');
    expect(bytes, "SHOKAI-REQ", code::chukan_encoding, "line 2");
    // A lead byte cut off by the line end.
    bytes = encode(valid("SHOKAI-RES"));
    bytes.insert(bytes.find("\r\n"), "\x88");
    expect(bytes, "SHOKAI-RES", code::chukan_encoding, "line 1");
}

TEST_CASE("a file in UTF-8 is an encoding problem and nothing else") {
    const auto in = check(join(valid("HONNIN-RES")), "HONNIN-RES");
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_encoding)});
}

// --- E-CHUKAN-HEADER and E-CHUKAN-KIND -----------------------------------------------------

TEST_CASE("each header value breaking its rule is a header problem") {
    const std::string k = "SHIKAKU-REG-RES";
    expect(encode(with_field(valid(k), 0, 3, "0623001")), k, code::chukan_header, "line 1 field 3");
    expect(encode(with_field(valid(k), 0, 3, "0623001A")), k, code::chukan_header,
           "line 1 field 3");
    expect(encode(with_field(valid(k), 0, 4, "20261131100000")), k, code::chukan_header,
           "line 1 field 4");
    expect(encode(with_field(valid(k), 0, 4, "20261124240000")), k, code::chukan_header,
           "line 1 field 4");
    expect(encode(with_field(valid(k), 0, 4, "202611241000")), k, code::chukan_header,
           "line 1 field 4");
    expect(encode(with_field(valid(k), 0, 5, "2x")), k, code::chukan_header, "line 1 field 5");
    expect(encode(with_field(valid(k), 0, 5, "")), k, code::chukan_header, "line 1 field 5");
}

TEST_CASE("a header of the wrong shape is a header problem") {
    const std::string k = "SHOKAI-REQ";
    Lines lines = valid(k);
    lines[0] += ",X";
    expect(encode(lines), k, code::chukan_header, "line 1");
    lines = valid(k);
    lines[0] = "X" + lines[0].substr(1);
    expect(encode(lines), k, code::chukan_header, "line 1");
    lines = valid(k);
    lines[0] = "H,SHOKAI-REQ,06230017,20261124100000";
    expect(encode(lines), k, code::chukan_header, "line 1");
    expect("", k, code::chukan_header, "file");
}

TEST_CASE("a header without its H still has its records checked") {
    Lines lines = with_field(valid("HONNIN-REQ"), 1, 2, "3");
    lines[0] = "X" + lines[0].substr(1);
    const auto in = check(encode(lines), "HONNIN-REQ");
    CHECK(in.verdict.codes() ==
          Codes{std::string(code::chukan_header), std::string(code::chukan_field)});
}

TEST_CASE("a kind other than the expected one is a kind problem, and only that") {
    // The records are checked against the kind the header names: a valid SHOKAI-RES file
    // where a HONNIN-RES was expected has nothing wrong but its kind.
    expect(encode(valid("SHOKAI-RES")), "HONNIN-RES", code::chukan_kind, "line 1");
    expect(encode(valid("HONNIN-REQ")), "HONNIN-RES", code::chukan_kind, "line 1");
    expect(encode(with_field(valid("HONNIN-RES"), 0, 2, "HONNIN-RESULT")), "HONNIN-RES",
           code::chukan_kind, "line 1");
    expect(encode(with_field(valid("HONNIN-RES"), 0, 2, "honnin-res")), "HONNIN-RES",
           code::chukan_kind, "line 1");
}

TEST_CASE("an expected kind that is none of the six is a kind problem") {
    const auto in = check(encode(valid("SHOKAI-REQ")), "SHOKAI");
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_kind)});
    CHECK(reported_at(in, code::chukan_kind, "file"));
}

// --- E-CHUKAN-TRAILER and E-CHUKAN-COUNT ---------------------------------------------------

TEST_CASE("a missing or malformed trailer is a trailer problem") {
    const std::string k = "SHIKAKU-REG-REQ";
    Lines lines = valid(k);
    lines.pop_back();
    expect(encode(lines), k, code::chukan_trailer, "file");
    for (const std::string t : {"T", "T,", "T,2,0", "T,-2", "T, 2"}) {
        INFO(t);
        lines = valid(k);
        lines.back() = t;
        expect(encode(lines), k, code::chukan_trailer, "line 4");
    }
}

TEST_CASE("anything after the trailer is a trailer problem, reported once") {
    const std::string k = "SHOKAI-RES";
    Lines lines = valid(k);
    lines.push_back(lines[1]);
    lines.push_back(lines[1]);
    const auto in = check(encode(lines), k);
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_trailer)});
    CHECK(in.verdict.reasons().size() == 1);
    CHECK(reported_at(in, code::chukan_trailer, "line 5"));
    CHECK(in.records == 2);
    expect(encode(valid(k)) + "\r\n", k, code::chukan_trailer, "line 5");
}

TEST_CASE("counts that disagree with the records are count problems") {
    const std::string k = "HONNIN-RES";
    expect(encode(with_field(valid(k), 0, 5, "5")), k, code::chukan_count, "line 1");
    Lines lines = valid(k);
    lines.back() = "T,3";
    expect(encode(lines), k, code::chukan_count, "line 6");
    lines = valid(k);
    lines.erase(lines.begin() + 2);
    const auto in = check(encode(lines), k);
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_count)});
    CHECK(reported_at(in, code::chukan_count, "line 1"));
    CHECK(reported_at(in, code::chukan_count, "line 5"));
    CHECK(in.records == 3);
}

TEST_CASE("a file without records is a count problem") {
    expect(encode({"H,HONNIN-REQ,06230017,20261124100000,0", "T,0"}), "HONNIN-REQ",
           code::chukan_count, "file");
}

// --- E-CHUKAN-FIELD ------------------------------------------------------------------------

TEST_CASE("a record with the wrong number of fields, or an empty line, is a field problem") {
    Lines lines = valid("SHOKAI-REQ");
    lines[1] += ",00";
    expect(encode(lines), "SHOKAI-REQ", code::chukan_field, "line 2");
    lines = valid("SHIKAKU-REG-RES");
    lines[1] = "2,K000000001,00,0";
    expect(encode(lines), "SHIKAKU-REG-RES", code::chukan_field, "line 2");
    lines = valid("SHOKAI-RES");
    lines.insert(lines.begin() + 2, "");
    const auto in = check(encode(lines), "SHOKAI-RES");
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_field)});
    CHECK(reported_at(in, code::chukan_field, "line 3"));
    CHECK(in.records == 2);
}

TEST_CASE("SHIKAKU-REG-REQ field rules") {
    const std::string k = "SHIKAKU-REG-REQ";
    expect_field(k, 1, 1, "4");                    // 処理区分
    expect_field(k, 1, 1, "");                     // required
    expect_field(k, 1, 2, "K-1");                  // 識別番号: letters and digits
    expect_field(k, 1, 2, std::string(21, '1'));   // 識別番号: ≤ 20
    expect_field(k, 1, 3, "");                     // 個人番号 required here
    expect_field(k, 1, 4, "0");                    // 被保険者枝番: 2 digits
    expect_field(k, 1, 4, "");                     // required unless 新規
    expect_field(k, 1, 5, std::string(101, 'A'));  // 氏名 ≤ 100 bytes
    expect_field(k, 1, 5, "田中\t太郎");           // no control characters
    expect_field(k, 1, 6, "ﾀﾅｶ ﾀﾛｳ1");             // 氏名かな: katakana only
    expect_field(k, 1, 6, "田中");
    expect_field(k, 1, 6, " ");
    expect_field(k, 1, 7, "19800231");  // 生年月日: a real date
    expect_field(k, 1, 7, "18671231");  // from 1868 on
    expect_field(k, 1, 7, "1980-04-15");
    expect_field(k, 1, 8, "3");          // 性別
    expect_field(k, 1, 9, "19790101");   // 資格取得年月日 before 生年月日
    expect_field(k, 2, 10, "20120331");  // 資格喪失年月日 before 資格取得年月日
    expect_field(k, 2, 10, "2020033");
}

TEST_CASE("SHIKAKU-REG-REQ: 被保険者枝番 may be empty for 新規, 資格喪失年月日 always") {
    const std::string k = "SHIKAKU-REG-REQ";
    CHECK(check(encode(with_field(valid(k), 2, 4, "")), k).verdict.accepted());
    CHECK(check(encode(with_field(valid(k), 2, 10, "")), k).verdict.accepted());
    CHECK(check(encode(with_field(valid(k), 2, 10, "20120401")), k).verdict.accepted());
}

TEST_CASE("SHIKAKU-REG-RES field rules") {
    const std::string k = "SHIKAKU-REG-RES";
    expect_field(k, 1, 3, "");           // 被保険者枝番 required when 結果コード is 0
    expect_field(k, 1, 4, "E1");         // 結果コード digits
    expect_field(k, 1, 4, "123456789");  // at most 8
    expect_field(k, 1, 5, "警告");       // エラー内容 only for errors
    expect_field(k, 2, 5, std::string(201, 'x'));  // ≤ 200 bytes
    CHECK(check(encode(with_field(valid(k), 1, 4, "000")), k).verdict.accepted());
    CHECK(check(encode(with_field(valid(k), 2, 5, "")), k).verdict.accepted());
}

TEST_CASE("HONNIN-REQ field rules, by 主たる照会条件") {
    const std::string k = "HONNIN-REQ";
    expect_field(k, 1, 1, "0");  // 要求レコード番号 ≥ 1
    expect_field(k, 2, 1, "1");  // ascending
    expect_field(k, 1, 1, "1234567890");
    expect_field(k, 1, 2, "3");  // 主たる照会条件
    expect_field(k, 1, 3, "");   // 1 needs 個人番号
    expect_field(k, 2, 4, "");   // 2 needs 氏名かな, 生年月日, 性別
    expect_field(k, 2, 5, "");
    expect_field(k, 2, 6, "");
    expect_field(k, 2, 6, "0");
    expect_field(k, 1, 8, "");  // 照会基準日
    expect_field(k, 1, 8, "20261324");
    // 条件 1 may carry the basic data too; 条件 2 without 住所 is complete.
    CHECK(check(encode(with_field(valid(k), 1, 5, "19800415")), k).verdict.accepted());
    CHECK(check(encode(with_field(valid(k), 2, 7, "")), k).verdict.accepted());
    // Gaps in the numbering are allowed.
    CHECK(check(encode(with_field(valid(k), 2, 1, "9")), k).verdict.accepted());
}

TEST_CASE("HONNIN-RES field rules, by 処理結果") {
    const std::string k = "HONNIN-RES";
    expect_field(k, 2, 1, "1");  // ascending
    expect_field(k, 1, 2, "3");  // 処理結果
    expect_field(k, 1, 3, "");   // 0 needs 生存状況
    expect_field(k, 1, 3, "4");
    expect_field(k, 1, 10, "");  // 異動事由 and 異動年月日 together
    expect_field(k, 1, 11, "");
    expect_field(k, 1, 10, "1");  // 異動事由: 2 digits
    for (std::size_t n : {3, 5, 6, 7, 8, 9, 10, 11})
        expect_field(k, 3, n, n == 7 || n == 11 ? "20000101" : n == 10 ? "01" : "1");
    CHECK(check(encode(with_field(valid(k), 1, 3, "2")), k).verdict.accepted());
}

TEST_CASE("SHOKAI field rules") {
    expect_field("SHOKAI-REQ", 1, 1, "A1");  // 処理番号: digits
    expect_field("SHOKAI-REQ", 1, 1, std::string(21, '1'));
    expect_field("SHOKAI-REQ", 1, 2, "");          // 事務名称 required
    expect_field("SHOKAI-REQ", 1, 5, "");          // 被保険者枝番 required
    expect_field("SHOKAI-RES", 1, 2, "12345");     // 処理番号の枝番 ≤ 4 digits
    expect_field("SHOKAI-RES", 1, 4, "20261124");  // 提供の日時: date and time
    expect_field("SHOKAI-RES", 1, 4, "20261124106000");
    // 結果データ not with 不開示コード, nor with 過誤事由コード.
    const auto res = valid("SHOKAI-RES");
    expect(encode(with_field(res, 1, 5, "11")), "SHOKAI-RES", code::chukan_field, "line 2 field 8");
    expect(encode(with_field(res, 1, 6, "3")), "SHOKAI-RES", code::chukan_field, "line 2 field 8");
    expect_field("SHOKAI-RES", 2, 5, "1A");
    expect_field("SHOKAI-RES", 1, 8, std::string(4001, 'x'));
}

// --- E-CHUKAN-MYNUMBER ---------------------------------------------------------------------

TEST_CASE("a 個人番号 field holds nothing but a valid number") {
    const auto m = code::chukan_mynumber;
    expect_field("SHIKAKU-REG-REQ", 1, 3, "621498320258", m);  // check digit
    expect_field("SHIKAKU-REG-REQ", 1, 3, "62149832025", m);   // 11 digits
    expect_field("SHIKAKU-REG-REQ", 1, 3, "６２１４９８３２０２５７", m);
    expect_field("HONNIN-REQ", 1, 3, "12345678901X", m);
    expect_field("HONNIN-RES", 1, 4, "123456789010", m);
}

TEST_CASE("a 個人番号 where the record excludes one is a 個人番号 problem") {
    const auto m = code::chukan_mynumber;
    expect_field("HONNIN-REQ", 2, 3, "621498320257", m);  // 主たる照会条件 2
    expect_field("HONNIN-RES", 2, 4, "621498320257", m);  // 処理結果 2 (複数該当)
    expect_field("HONNIN-RES", 3, 4, "621498320257", m);  // 処理結果 1 (該当なし)
}

TEST_CASE("a 個人番号 in free text is a 個人番号 problem, other digits are not") {
    const auto m = code::chukan_mynumber;
    expect_field("SHOKAI-RES", 1, 8, "照会対象者：621498320257", m);
    expect_field("SHIKAKU-REG-RES", 2, 5, "番号６２１４９８３２０２５７が重複", m);
    expect_field("HONNIN-REQ", 2, 7, "東京都123456789018番地", m);
    CHECK(check(encode(with_field(valid("SHOKAI-RES"), 1, 8, "照会対象者：621498320258")),
                "SHOKAI-RES")
              .verdict.accepted());
    CHECK(check(encode(with_field(valid("SHOKAI-RES"), 1, 8, "番号6214983202570")), "SHOKAI-RES")
              .verdict.accepted());
}

// --- E-CHUKAN-LIMIT ------------------------------------------------------------------------

TEST_CASE("a file above the byte limit is refused before it is read") {
    const std::string bytes = encode(valid("HONNIN-RES"));
    ChukanLimits limits;
    limits.max_bytes = bytes.size() - 1;
    const auto in = check(bytes, "HONNIN-RES", limits);
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_limit)});
    CHECK(in.records == 0);
    limits.max_bytes = bytes.size();
    CHECK(check(bytes, "HONNIN-RES", limits).verdict.accepted());
}

TEST_CASE("a line above the line limit ends the inspection") {
    const std::string bytes = encode(valid("SHOKAI-RES"));
    ChukanLimits limits;
    limits.max_line = utf8_to_cp932(valid("SHOKAI-RES")[1]).size() - 1;
    expect(bytes, "SHOKAI-RES", code::chukan_limit, "line 2", limits);
    limits.max_line += 1;
    CHECK(check(bytes, "SHOKAI-RES", limits).verdict.accepted());
    // Without a line end at all.
    limits.max_line = 10;
    expect(std::string(100, 'A'), "SHOKAI-RES", code::chukan_limit, "line 1", limits);
}

TEST_CASE("more records than the limit end the inspection") {
    const std::string bytes = encode(valid("HONNIN-RES"));
    ChukanLimits limits;
    limits.max_records = 4;
    CHECK(check(bytes, "HONNIN-RES", limits).verdict.accepted());
    // The header's count is looked at first.
    limits.max_records = 3;
    expect(bytes, "HONNIN-RES", code::chukan_limit, "line 1", limits);
    // A header that understates the count does not get past the limit either.
    const auto in = check(encode(with_field(valid("HONNIN-RES"), 0, 5, "3")), "HONNIN-RES", limits);
    CHECK(in.verdict.codes() == Codes{std::string(code::chukan_limit)});
    CHECK(reported_at(in, code::chukan_limit, "line 5"));
    CHECK(in.records == 3);
}

// --- the verdict ---------------------------------------------------------------------------

TEST_CASE("a flood of broken records gives a bounded verdict that says there is more") {
    Lines lines{"H,HONNIN-REQ,06230017,20261124100000,3000"};
    for (int i = 1; i <= 3000; ++i)
        lines.push_back(std::to_string(i) + ",3,621498320258,ｱ\t,2026,3,\x01,2026");
    lines.push_back("T,3000");
    const auto in = check(encode(lines), "HONNIN-REQ");
    const auto& reasons = in.verdict.reasons();
    CHECK(reasons.size() <= 100);
    CHECK(reasons.back().detail.starts_with("more reasons found and not listed"));
    CHECK(in.verdict.codes() ==
          Codes{std::string(code::chukan_field), std::string(code::chukan_mynumber)});
    CHECK(in.records == 3000);
}

TEST_CASE("reasons name positions and rules, never values from the file") {
    Lines lines = with_field(valid("HONNIN-RES"), 1, 4, "621498320258");
    lines = with_field(lines, 1, 5, "田中\t太郎");
    lines = with_field(lines, 2, 4, "621498320257");
    const auto in = check(encode(lines), "HONNIN-RES");
    REQUIRE(in.verdict.reasons().size() >= 3);
    for (const auto& r : in.verdict.reasons()) {
        INFO(r.code << " at " << r.where << ": " << r.detail);
        for (const std::string value : {"62149832025", "田中", "太郎", "ﾀﾅｶ", "19800415"}) {
            CHECK(r.where.find(value) == std::string::npos);
            CHECK(r.detail.find(value) == std::string::npos);
        }
    }
}

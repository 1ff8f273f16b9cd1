// 個人番号 (spec §5): the check digit of 総務省令第85号 第5条 and stray 12-digit runs in text,
// in UTF-8 (申請書XML) and CP932 (.txt attachments, CSV fields).

#include <catch2/catch.hpp>
#include <string>

#include "daemon/inspect/mynumber.hpp"
#include "tests/sim/filings/rng.hpp"
#include "tests/sim/filings/synthetic_people.hpp"
#include "tests/sim/filings/text_encoding.hpp"

namespace {

using sekisho::inspect::contains_mynumber;
using sekisho::inspect::TextEncoding;
using sekisho::inspect::valid_mynumber;
using sekisho::sim::filings::utf8_to_cp932;

// The number with its last digit replaced by each wrong one.
std::vector<std::string> wrong_check_digits(const std::string& number) {
    std::vector<std::string> out;
    for (char c = '0'; c <= '9'; ++c) {
        if (c != number.back())
            out.push_back(number.substr(0, 11) + c);
    }
    return out;
}

std::string fullwidth(const std::string& ascii_digits) {
    std::string out;
    for (const char c : ascii_digits)
        out += "\xEF\xBC" + std::string(1, static_cast<char>(0x90 + (c - '0')));
    return out;
}

bool in_both(const std::string& utf8) {
    const bool u = contains_mynumber(utf8, TextEncoding::utf8);
    const bool c = contains_mynumber(utf8_to_cp932(utf8), TextEncoding::cp932);
    CHECK(u == c);
    return u && c;
}

}  // namespace

TEST_CASE("the spec's examples have valid check digits and every other last digit is wrong") {
    for (const std::string n : {"621498320257", "123456789018"}) {
        CHECK(valid_mynumber(n));
        for (const auto& wrong : wrong_check_digits(n))
            CHECK_FALSE(valid_mynumber(wrong));
    }
}

TEST_CASE("check digit r <= 1 gives 0") {
    // 00000000000: r = 0; 10000000000: P_11 = 1, Q_11 = 6, r = 6 → 5; 00000000010: P_2 = 1,
    // Q_2 = 3 → 8; 00000000005: P_1 = 5, Q_1 = 2, r = 10 → 1.
    CHECK(valid_mynumber("000000000000"));
    CHECK(valid_mynumber("100000000005"));
    CHECK(valid_mynumber("000000000108"));
    CHECK(valid_mynumber("000000000051"));
    // r = 1: P_1 = 6, Q_1 = 2 → 12 mod 11 = 1 → check digit 0.
    CHECK(valid_mynumber("000000000060"));
    CHECK_FALSE(valid_mynumber("000000000061"));
}

TEST_CASE("only exactly 12 ASCII digits can be a 個人番号") {
    CHECK_FALSE(valid_mynumber(""));
    CHECK_FALSE(valid_mynumber("62149832025"));
    CHECK_FALSE(valid_mynumber("6214983202570"));
    CHECK_FALSE(valid_mynumber("62149832025a"));
    CHECK_FALSE(valid_mynumber(" 621498320257"));
    CHECK_FALSE(valid_mynumber(fullwidth("621498320257")));
}

TEST_CASE("our check digit agrees with the generator's on random numbers") {
    sekisho::sim::filings::Rng rng(42);
    for (int i = 0; i < 2000; ++i) {
        const std::string good = sekisho::sim::filings::make_mynumber(rng);
        const std::string bad = sekisho::sim::filings::make_bad_mynumber(rng);
        CHECK(valid_mynumber(good));
        CHECK_FALSE(valid_mynumber(bad));
    }
}

TEST_CASE("a 12-digit run with a valid check digit is found in text") {
    CHECK(in_both("照会番号：621498320257（控え）"));
    CHECK(in_both("621498320257"));
    CHECK(in_both("確認用123456789018"));
    CHECK(in_both("a 621498320257\r\nb"));
    CHECK(in_both("12345 and 621498320257 and 6789"));
}

TEST_CASE("runs that are not exactly 12 digits or fail the check digit are not a 個人番号") {
    CHECK_FALSE(in_both("照会番号：621498320258（控え）"));
    CHECK_FALSE(in_both("1621498320257"));
    CHECK_FALSE(in_both("6214983202571"));
    CHECK_FALSE(in_both("62149832025"));
    CHECK_FALSE(in_both("電話：052-231-4567"));
    CHECK_FALSE(in_both(""));
    CHECK_FALSE(in_both("6214-9832-0257"));
}

TEST_CASE("full-width digits count as digits, also mixed with ASCII ones") {
    CHECK(in_both("番号" + fullwidth("621498320257") + "です"));
    CHECK(in_both(fullwidth("621498") + "320257"));
    // 13 digits when the full-width ones join the ASCII run.
    CHECK_FALSE(in_both(fullwidth("1") + "621498320257"));
    CHECK_FALSE(in_both("621498320257" + fullwidth("0")));
    CHECK_FALSE(in_both(fullwidth("621498320258")));
}

TEST_CASE("a CP932 trail byte is never read as the start of a full-width digit") {
    // 0x89 0x82 is one kanji; with 'O' (0x4F) after it, a byte scanner would see 0x82 0x4F,
    // the full-width ０, in front of eleven more digits.
    std::string first11 = "02149832025";
    const int check = sekisho::sim::filings::mynumber_check_digit(first11);
    const std::string number = first11 + std::to_string(check);
    REQUIRE(valid_mynumber(number));
    const std::string cp932_rest = utf8_to_cp932(fullwidth(number.substr(1)));
    CHECK_FALSE(contains_mynumber("\x89\x82O" + cp932_rest, TextEncoding::cp932));
    // The same digits as real full-width digits are found.
    CHECK(contains_mynumber(utf8_to_cp932(fullwidth(number)), TextEncoding::cp932));
}

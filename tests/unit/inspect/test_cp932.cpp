// CP932 validity without iconv (daemon/inspect/cp932.hpp), checked against glibc's iconv
// (through the generator's converter) on every single byte and every byte pair.

#include <catch2/catch.hpp>
#include <string>

#include "daemon/inspect/cp932.hpp"
#include "tests/sim/filings/text_encoding.hpp"

namespace {

using sekisho::inspect::cp932_char_size;
using sekisho::inspect::cp932_invalid_at;
using sekisho::inspect::valid_cp932;
using sekisho::sim::filings::cp932_to_utf8;
using sekisho::sim::filings::utf8_to_cp932;

bool iconv_accepts(const std::string& bytes) {
    return cp932_to_utf8(bytes).has_value() && bytes.find('\0') == std::string::npos;
}

}  // namespace

TEST_CASE("every single byte is valid exactly when iconv decodes it and it is not NUL") {
    int valid = 0;
    for (int b = 0; b < 256; ++b) {
        const std::string s(1, static_cast<char>(b));
        INFO("byte " << b);
        CHECK(valid_cp932(s) == iconv_accepts(s));
        valid += valid_cp932(s) ? 1 : 0;
    }
    CHECK(valid == 127 + 63);  // ASCII without NUL, half-width katakana 0xA1..0xDF
}

TEST_CASE("every byte pair is valid exactly when iconv decodes it") {
    int mismatches = 0;
    int valid_pairs = 0;
    for (int lead = 0; lead < 256; ++lead) {
        for (int trail = 0; trail < 256; ++trail) {
            const std::string s{static_cast<char>(lead), static_cast<char>(trail)};
            const bool ours = valid_cp932(s);
            if (ours != iconv_accepts(s)) {
                ++mismatches;
                UNSCOPED_INFO("pair " << lead << " " << trail);
            }
            if (ours && cp932_char_size(s, 0) == 2)
                ++valid_pairs;
        }
    }
    CHECK(mismatches == 0);
    CHECK(valid_pairs > 9000);  // the assigned double-byte codes, not a trivial table
}

TEST_CASE("Japanese text encoded to CP932 is valid and UTF-8 of it is not") {
    const std::string utf8 =
        "ﾀﾅｶ ﾀﾛｳ,田中　太郎,愛知県名古屋市中区栄１丁目２番３号,①髙﨑,退職予定\r\n";
    const std::string cp932 = utf8_to_cp932(utf8);
    CHECK(valid_cp932(cp932));
    CHECK(cp932_invalid_at(cp932) == std::string::npos);
    CHECK_FALSE(valid_cp932(utf8));
}

TEST_CASE("the offset of the first undecodable byte or NUL is reported") {
    const std::string good = utf8_to_cp932("田中");
    CHECK(cp932_invalid_at(good + '\0' + "x") == good.size());
    CHECK(cp932_invalid_at(good + "\x80") == good.size());
    CHECK(cp932_invalid_at("ab\xA0") == 2);
    // A lead byte at the end has no trail byte.
    CHECK(cp932_invalid_at(good + good.substr(0, 1)) == good.size());
    // A lead byte followed by a byte that is no trail byte (comma, CR).
    CHECK(cp932_invalid_at(std::string("\x88,") + "x") == 0);
    CHECK(cp932_invalid_at(std::string("a\x81\r\n")) == 1);
    CHECK_FALSE(valid_cp932(std::string("a\0b", 3)));
    CHECK(valid_cp932(""));
}

TEST_CASE("a trail byte in the ASCII range belongs to its character") {
    // ソ is 0x83 0x5C: its trail byte is the ASCII backslash, and the pair is one character.
    const std::string so = utf8_to_cp932("ソ");
    REQUIRE(so == "\x83\x5C");
    CHECK(cp932_char_size(so, 0) == 2);
    CHECK(valid_cp932(so + "\\"));
}

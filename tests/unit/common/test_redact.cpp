#include <catch2/catch.hpp>

#include "common/redact.hpp"

using sekisho::redact;

TEST_CASE("12-digit numbers are redacted however they are written", "[common][redact]") {
    CHECK(redact("mynumber 123456789018 found") == "mynumber [number redacted] found");
    CHECK(redact("123456789018") == "[number redacted]");
    CHECK(redact("1234 5678 9018") == "[number redacted]");
    CHECK(redact("1234-5678-9018") == "[number redacted]");
    CHECK(redact("id=123456789012.") == "id=[number redacted].");
    CHECK(redact("x621498320257y") == "x[number redacted]y");
}

TEST_CASE("short numbers, dates and digests are kept", "[common][redact]") {
    CHECK(redact("result=20261124000") == "result=20261124000");                // 11 digits
    CHECK(redact("arrive_id=202611240000123") == "arrive_id=202611240000123");  // 15 digits
    CHECK(redact("2026-11-24T09:00:00+09:00") == "2026-11-24T09:00:00+09:00");
    const std::string digest = "ab12345678901234567890cdef0123456789abcdef0123456789abcdef012345";
    CHECK(redact("sha256=" + digest) == "sha256=" + digest);
}

TEST_CASE("non-ASCII text (names, addresses) is redacted", "[common][redact]") {
    CHECK(redact("name=山田太郎 kana=ﾔﾏﾀﾞ ﾀﾛｳ") ==
          "name=[text redacted] kana=[text redacted] [text redacted]");
    CHECK(redact("\xe5\xb1\xb1") == "[text redacted]");
}

TEST_CASE("control characters are escaped so a value cannot forge a log line", "[common][redact]") {
    CHECK(redact("a\nb\tc\r\x01") == "a\\nb\\tc\\r\\x01");
}

TEST_CASE("item ids (UUIDs) are kept even when their digits add up to twelve", "[common][redact]") {
    const std::string id = "01a23428-1510-712b-b758-b4e5c9f51947";  // 5 + 4 + 3 digits
    CHECK(redact("item=" + id) == "item=" + id);
    CHECK(redact("transfer=\"" + id + "\" next") == "transfer=\"" + id + "\" next");
    // Not a UUID: one character more, or the same digits without the shape.
    CHECK(redact(id + "0").find(id) == std::string::npos);
    CHECK(redact("no 2342-8151-0712 ok") == "no [number redacted] ok");
}

#include <catch2/catch.hpp>

#include "common/time_format.hpp"

using namespace sekisho;

TEST_CASE("RFC 3339 date-times with a zone parse to Unix milliseconds", "[common][time]") {
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_rfc3339("2026-11-24T09:00:00+09:00") == parse_rfc3339("2026-11-24T00:00:00Z"));
    CHECK(parse_rfc3339("2026-11-24T00:00:00.250Z") ==
          *parse_rfc3339("2026-11-24T00:00:00Z") + 250);
    CHECK(parse_rfc3339("2024-02-29T12:00:00-05:30").has_value());
    CHECK(rfc3339_utc(*parse_rfc3339("2027-01-31T00:00:00+09:00")) == "2027-01-30T15:00:00.000Z");
}

TEST_CASE("anything else is refused", "[common][time]") {
    for (const char* bad :
         {"", "2026-11-24", "2026-11-24T09:00:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
          "2026-11-24T24:00:00Z", "2026-11-24T09:00:00+9:00", "2026-11-24T09:00:00Zjunk",
          "2026-11-24 09:00:00Z", "2026-11-24T09:00:00."}) {
        INFO(bad);
        CHECK_FALSE(parse_rfc3339(bad));
    }
}

#include <catch2/catch.hpp>

#include "config/units.hpp"

using namespace sekisho::config;
using namespace std::chrono_literals;

TEST_CASE("durations parse with every unit and in combination", "[config][units]") {
    CHECK(parse_duration("500ms").value == Duration(500));
    CHECK(parse_duration("90s").value == Duration(90s));
    CHECK(parse_duration("5m").value == Duration(5min));
    CHECK(parse_duration("2h").value == Duration(2h));
    CHECK(parse_duration("7d").value == Duration(7 * 24h));
    CHECK(parse_duration("2w").value == Duration(14 * 24h));
    CHECK(parse_duration("1h30m").value == Duration(90min));
}

TEST_CASE("bad durations are refused with a reason", "[config][units]") {
    for (const char* bad :
         {"", "90", "s", "5 m", "-5s", "5x", "1.5h", "5mm", "99999999999999999999d"}) {
        INFO(bad);
        const auto parsed = parse_duration(bad);
        CHECK_FALSE(parsed.value);
        CHECK_FALSE(parsed.error.empty());
    }
}

TEST_CASE("sizes parse binary and decimal units, and whole decimal fractions", "[config][units]") {
    CHECK(parse_size("512B").value == 512u);
    CHECK(parse_size("64KiB").value == 65536u);
    CHECK(parse_size("10MiB").value == 10u * 1024 * 1024);
    CHECK(parse_size("1GiB").value == 1024ull * 1024 * 1024);
    CHECK(parse_size("4.5MB").value == 4'500'000u);
    CHECK(parse_size("2KB").value == 2000u);
}

TEST_CASE("bad sizes are refused with a reason", "[config][units]") {
    for (const char* bad : {"", "10", "10 MiB", "10mb", "MiB", "1.5B", "-1KiB", "10MiBs",
                            "99999999999999999999B", "99999999999TiB"}) {
        INFO(bad);
        const auto parsed = parse_size(bad);
        CHECK_FALSE(parsed.value);
        CHECK_FALSE(parsed.error.empty());
    }
}

TEST_CASE("rates are bits per second", "[config][units]") {
    CHECK(parse_rate_bits_per_second("100Mbit").value == 100'000'000u);
    CHECK(parse_rate_bits_per_second("1Gbit/s").value == 1'000'000'000u);
    CHECK(parse_rate_bits_per_second("2.5Gbit").value == 2'500'000'000u);
    CHECK_FALSE(parse_rate_bits_per_second("100MB").value);
    CHECK_FALSE(parse_rate_bits_per_second("fast").value);
}

TEST_CASE("durations format for messages", "[config][units]") {
    CHECK(format_duration(Duration(90s)) == "1m30s");
    CHECK(format_duration(Duration(7 * 24h)) == "7d");
    CHECK(format_duration(Duration(0)) == "0s");
}

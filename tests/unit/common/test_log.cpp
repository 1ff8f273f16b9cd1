#include <catch2/catch.hpp>
#include <type_traits>

#include "common/log.hpp"

using namespace sekisho;

// The compile-time half of the redaction layer: personal data cannot become a field.
static_assert(!std::is_constructible_v<log::Field, std::string_view, Personal<std::string>>);
static_assert(!std::is_constructible_v<log::Field, std::string_view, const Personal<std::string>&>);
static_assert(std::is_constructible_v<log::Field, std::string_view, std::string>);
static_assert(std::is_constructible_v<log::Field, std::string_view, int>);

TEST_CASE("log lines carry level, message and fields", "[common][log]") {
    log::init("testprog");
    const auto line = log::format_line(log::Level::warning, "disk low", {{"free_bytes", 1024}});
    CHECK_THAT(
        line,
        Catch::Matches(
            R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z testprog\[\d+\]: warning: disk low free_bytes=1024)"));
}

TEST_CASE("messages and fields are redacted before formatting", "[common][log]") {
    const auto line = log::format_line(log::Level::error, "bad record 123456789018",
                                       {{"name", "山田"}, {"detail", "number 621498320257"}});
    CHECK(line.find("123456789018") == std::string::npos);
    CHECK(line.find("621498320257") == std::string::npos);
    CHECK(line.find("山田") == std::string::npos);
    CHECK(line.find("name=\"[text redacted]\"") != std::string::npos);
    CHECK(line.find("detail=\"number [number redacted]\"") != std::string::npos);
}

TEST_CASE("field keys are normalised for journald", "[common][log]") {
    const log::Field f("Item-ID", "x");
    CHECK(f.key() == "item_id");
}

TEST_CASE("levels parse by name and filter by threshold", "[common][log]") {
    CHECK(log::parse_level("warning") == log::Level::warning);
    CHECK_FALSE(log::parse_level("verbose"));
    CHECK(log::level_name(log::Level::debug) == "debug");
    log::set_threshold(log::Level::error);
    CHECK(log::threshold() == log::Level::error);
    log::set_threshold(log::Level::info);
}

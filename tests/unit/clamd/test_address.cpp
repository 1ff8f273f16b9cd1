#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "adapters/clamd/address.hpp"

using sekisho::clamd::Address;

TEST_CASE("an absolute path is a Unix socket", "[clamd][address]") {
    const auto a = Address::parse("/run/clamav/clamd.ctl");
    CHECK(a.kind == Address::Kind::unix_socket);
    CHECK(a.path == "/run/clamav/clamd.ctl");
    CHECK(a.describe() == "/run/clamav/clamd.ctl");
}

TEST_CASE("host:port is TCP, IPv6 in brackets", "[clamd][address]") {
    const auto v4 = Address::parse("127.0.0.1:3310");
    CHECK(v4.kind == Address::Kind::tcp);
    CHECK(v4.host == "127.0.0.1");
    CHECK(v4.port == "3310");
    const auto v6 = Address::parse("[::1]:3310");
    CHECK(v6.host == "::1");
    CHECK(v6.port == "3310");
    CHECK(v6.describe() == "[::1]:3310");
    CHECK(Address::parse("scanner.local:3310").host == "scanner.local");
}

TEST_CASE("other socket settings are refused", "[clamd][address]") {
    for (const std::string s : {"", "clamd.ctl", "run/clamd.ctl", "127.0.0.1", "127.0.0.1:0",
                                "127.0.0.1:70000", "[::1]3310", "host:port", "::1:3310x"}) {
        INFO(s);
        CHECK_THROWS_AS(Address::parse(s), std::invalid_argument);
    }
    CHECK_THROWS_AS(Address::parse("/" + std::string(200, 'a')), std::invalid_argument);
}

// parse_ipsec_check: the three accepted forms of `chukan.ipsec_check`, and refusals that
// say what is wrong. (The kernel side is tested in tests/integration/chukan.)

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/chukan/ipsec_check.hpp"

using sekisho::chukan::describe;
using sekisho::chukan::IpsecMode;
using sekisho::chukan::parse_ipsec_check;

TEST_CASE("ipsec_check xfrm and off", "[chukan][ipsec]") {
    const auto xfrm = parse_ipsec_check("xfrm");
    CHECK(xfrm.mode == IpsecMode::xfrm);
    CHECK(xfrm.interface.empty());
    CHECK(describe(xfrm) == "xfrm");
    const auto off = parse_ipsec_check("off");
    CHECK(off.mode == IpsecMode::off);
    CHECK(off.interface.empty());
    CHECK(describe(off) == "off");
}

TEST_CASE("ipsec_check interface:<name> keeps the device name", "[chukan][ipsec]") {
    for (const auto& name : std::vector<std::string>{"ipsec0", "tun-test", "a", "vti.100", "xfrm_1",
                                                     "eth0@x", std::string(15, 'n')}) {
        INFO(name);
        const auto check = parse_ipsec_check("interface:" + name);
        CHECK(check.mode == IpsecMode::interface);
        CHECK(check.interface == name);
        CHECK(describe(check) == "interface:" + name);
    }
}

TEST_CASE("ipsec_check refuses other modes", "[chukan][ipsec]") {
    for (const std::string text : {"", "XFRM", "Off", "none", " xfrm", "xfrm ", "interface",
                                   "iface:ipsec0", "route:ipsec0"}) {
        INFO(text);
        CHECK_THROWS_AS(parse_ipsec_check(text), std::invalid_argument);
    }
    CHECK_THROWS_WITH(
        parse_ipsec_check("on"),
        Catch::Contains("\"on\"") && Catch::Contains("\"xfrm\", \"interface:<name>\" or \"off\""));
}

TEST_CASE("ipsec_check refuses invalid interface names", "[chukan][ipsec]") {
    for (const auto& text : std::vector<std::string>{
             "interface:", "interface:" + std::string(16, 'n'), "interface:a/b", "interface:a:b",
             "interface:a b", "interface:tab\there", "interface:\xe3\x83\x88",
             "interface:del\x7f"}) {
        INFO(text);
        CHECK_THROWS_AS(parse_ipsec_check(text), std::invalid_argument);
    }
    CHECK_THROWS_WITH(parse_ipsec_check("interface:a/b"),
                      Catch::Contains("\"a/b\" is not a valid interface name"));
}

TEST_CASE("ipsec_check messages escape what they quote", "[chukan][ipsec]") {
    // A value from the configuration file must not be able to forge a log line.
    CHECK_THROWS_WITH(parse_ipsec_check("x\ny"),
                      Catch::Contains("\"x\\x0ay\"") && !Catch::Contains("\n"));
    CHECK_THROWS_WITH(parse_ipsec_check(std::string("a\0b", 3)), Catch::Contains("\"a\\x00b\""));
}

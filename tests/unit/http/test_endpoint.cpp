#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "adapters/http/endpoint.hpp"

using sekisho::http::Endpoint;

TEST_CASE("an https URL gives host, default port and base path", "[http][endpoint]") {
    const auto e = Endpoint::parse("https://Portal.Example.JP/api/v1/");
    CHECK(e.host == "portal.example.jp");
    CHECK(e.port == "443");
    CHECK(e.base_path == "/api/v1");
    CHECK_FALSE(e.is_ip_literal());
    CHECK(e.host_header() == "portal.example.jp");
    CHECK(e.authority() == "portal.example.jp:443");
}

TEST_CASE("ports, bare hosts and the scheme's case are accepted", "[http][endpoint]") {
    const auto e = Endpoint::parse("HTTPS://localhost:8443");
    CHECK(e.host == "localhost");
    CHECK(e.port == "8443");
    CHECK(e.base_path.empty());
    CHECK(e.host_header() == "localhost:8443");
    CHECK(Endpoint::parse("https://localhost/").base_path.empty());
    CHECK(Endpoint::parse("https://h.test:0443").port == "443");
}

TEST_CASE("IP literals are recognised, IPv6 without brackets", "[http][endpoint]") {
    const auto v4 = Endpoint::parse("https://127.0.0.1:9000/x");
    CHECK(v4.host == "127.0.0.1");
    CHECK(v4.is_ip_literal());
    CHECK(v4.base_path == "/x");
    const auto v6 = Endpoint::parse("https://[::1]:9000");
    CHECK(v6.host == "::1");
    CHECK(v6.is_ip_literal());
    CHECK(v6.host_header() == "[::1]:9000");
    CHECK(v6.authority() == "[::1]:9000");
    CHECK(Endpoint::parse("https://[2001:db8::7]").authority() == "[2001:db8::7]:443");
}

TEST_CASE("anything but a plain https URL is refused", "[http][endpoint]") {
    for (const char* url : {
             "http://portal.test/",         // not TLS
             "portal.test",                 // no scheme
             "ftp://portal.test",           //
             "https://",                    // no host
             "https:///v1",                 //
             "https://portal.test:",        // empty port
             "https://portal.test:0",       //
             "https://portal.test:65536",   //
             "https://portal.test:44x",     //
             "https://portal.test/v1?x=1",  // query
             "https://portal.test/#frag",   // fragment
             "https://por tal.test/",       // space
             "https://portal..test/",       // empty label
             "https://.portal.test/",       //
             "https://portal_test/",        // underscore
             "https://127.1/",              // not a dotted quad
             "https://10.0.0.256/",         //
             "https://[::1/",               // unterminated
             "https://[fe80::1%25eth0]/",   // zone id
             "https://[::1]x/",             //
             "https://[nothex]/",           //
             "https://portal.test/a b",     // space in path
             "https://portal.test/a\\b",    //
             "https://portal.test/\x01",    //
         }) {
        INFO(url);
        CHECK_THROWS_AS(Endpoint::parse(url), std::invalid_argument);
    }
}

TEST_CASE("user information is refused without being repeated", "[http][endpoint]") {
    try {
        (void)Endpoint::parse("https://admin:hunter2@portal.test/");
        FAIL("parsed a URL with user information");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK(what.find("user information") != std::string::npos);
        CHECK(what.find("hunter2") == std::string::npos);
        CHECK(what.find("admin") == std::string::npos);
    }
}

// The client against a real clamd loaded with the project's test signatures.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "adapters/clamd/client.hpp"
#include "adapters/clamd/freshness.hpp"
#include "tests/support/clamd_fixture.hpp"

using namespace sekisho::clamd;
using namespace std::chrono_literals;
using sekisho::test::ClamdFixture;
using sekisho::test::ClamdOptions;
using Status = ScanResult::Status;

namespace {

constexpr std::uint64_t kNoClientLimit = 1ull << 40;

Client client_for(const ClamdFixture& clamd, std::chrono::milliseconds timeout = 30s) {
    return Client(Address::parse(clamd.socket_path().string()), timeout, kNoClientLimit);
}

std::string filler(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>('a' + i % 26);
    return s;
}

}  // namespace

TEST_CASE("clamd answers PING and a bare VERSION", "[clamd][real]") {
    ClamdFixture clamd;
    const Client client = client_for(clamd);
    CHECK_NOTHROW(client.ping());
    const auto v = parse_version(client.version());
    REQUIRE(v);
    CHECK_FALSE(v->engine.empty());
    // Only the project's .ndb is loaded: no daily database, so no date in VERSION.
    CHECK_FALSE(v->database_time);
}

TEST_CASE("custom signatures are dated by the database file", "[clamd][real][freshness]") {
    ClamdFixture clamd;
    const auto v = parse_version(client_for(clamd).version());
    REQUIRE(v);
    const auto now = std::chrono::system_clock::now();
    const auto fresh = check_freshness(*v, clamd.database_dir(), 72h, now);
    CHECK(fresh.fresh);
    std::filesystem::last_write_time(clamd.database_file(), std::chrono::file_clock::now() - 96h);
    const auto stale = check_freshness(*v, clamd.database_dir(), 72h, now);
    CHECK_FALSE(stale.fresh);
    CHECK_THAT(stale.reason, Catch::Contains("older than max_signature_age"));
}

TEST_CASE("clean bytes scan clean", "[clamd][real]") {
    ClamdFixture clamd;
    const auto r = client_for(clamd).scan(filler(300 * 1024));
    CHECK(r.status == Status::clean);
    CHECK(client_for(clamd).scan("").status == Status::clean);
}

TEST_CASE("EICAR is found with its signature name", "[clamd][real]") {
    ClamdFixture clamd;
    const auto r = client_for(clamd).scan(sekisho::test::eicar_test_string());
    REQUIRE(r.status == Status::found);
    CHECK(r.signature == sekisho::test::kEicarSignature);
}

TEST_CASE("the project marker is found across a chunk boundary", "[clamd][real]") {
    ClamdFixture clamd;
    std::string bytes = filler(200 * 1024);
    const auto marker = sekisho::test::kClamdTestMarker;
    bytes.replace(kChunkSize - marker.size() / 2, marker.size(), marker);
    const auto r = client_for(clamd).scan(bytes);
    REQUIRE(r.status == Status::found);
    CHECK(r.signature == sekisho::test::kMarkerSignature);
}

TEST_CASE("a stream beyond StreamMaxLength is a size limit, not clean", "[clamd][real]") {
    ClamdFixture clamd;  // StreamMaxLength 2M
    const auto over = client_for(clamd).scan(filler(clamd.stream_max_bytes() + 1));
    CHECK(over.status == Status::unavailable);
    CHECK(over.reason == Unavailable::size_limit);
    const auto at = client_for(clamd).scan(filler(clamd.stream_max_bytes()));
    CHECK(at.status == Status::clean);
}

TEST_CASE("a stream beyond clamd.max_stream is not sent", "[clamd][real]") {
    ClamdFixture clamd;
    const Client limited(Address::parse(clamd.socket_path().string()), 30s, 1000);
    const auto r = limited.scan(sekisho::test::eicar_test_string() + filler(1000));
    CHECK(r.status == Status::unavailable);
    CHECK(r.reason == Unavailable::size_limit);
    CHECK_THAT(r.detail, Catch::Contains("clamd.max_stream"));
    CHECK(limited.scan(sekisho::test::eicar_test_string()).status == Status::found);
}

TEST_CASE("a killed clamd is unreachable until restarted", "[clamd][real]") {
    ClamdFixture clamd;
    const Client client = client_for(clamd, 5s);
    clamd.kill();
    const auto r = client.scan(sekisho::test::eicar_test_string());
    CHECK(r.status == Status::unavailable);
    CHECK(r.reason == Unavailable::unreachable);
    try {
        client.ping();
        FAIL("PING succeeded without clamd");
    } catch (const ClamdError& e) {
        CHECK(e.reason() == Unavailable::unreachable);
    }
    clamd.start();
    CHECK(client.scan(sekisho::test::eicar_test_string()).status == Status::found);
}

TEST_CASE("clamd over TCP", "[clamd][real][tcp]") {
    ClamdOptions options;
    options.tcp = true;
    ClamdFixture clamd(options);
    const Client client(Address::parse(clamd.tcp_address()), 30s, kNoClientLimit);
    CHECK_NOTHROW(client.ping());
    CHECK(client.scan(filler(100 * 1024)).status == Status::clean);
    const auto found = client.scan(filler(70 * 1024) + sekisho::test::eicar_test_string());
    REQUIRE(found.status == Status::found);
    CHECK(found.signature == sekisho::test::kEicarSignature);
    const auto over = client.scan(filler(clamd.stream_max_bytes() + 1));
    CHECK(over.status == Status::unavailable);
    CHECK(over.reason != Unavailable::timeout);
}

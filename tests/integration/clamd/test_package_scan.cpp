// Whole-package scans against a real clamd.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/clamd/package_scan.hpp"
#include "tests/support/clamd_fixture.hpp"

using namespace sekisho::clamd;
using namespace std::chrono_literals;
using sekisho::test::ClamdFixture;
using Status = ScanOutcome::Status;

namespace {

struct Package {
    std::vector<std::string> contents;
    std::vector<Entry> entries;
    std::string bytes;  // stands in for the ZIP: the entries one after the other
};

Package package_of(std::vector<std::pair<std::string, std::string>> files) {
    Package p;
    for (auto& [name, data] : files)
        p.contents.push_back(std::move(data));
    for (std::size_t i = 0; i < files.size(); ++i) {
        p.entries.push_back(Entry{files[i].first, p.contents[i]});
        p.bytes += "PK" + p.contents[i];
    }
    return p;
}

Client client_for(const ClamdFixture& clamd) {
    return Client(Address::parse(clamd.socket_path().string()), 30s, 1ull << 40);
}

SignaturePolicy policy_for(const ClamdFixture& clamd) {
    return SignaturePolicy{clamd.database_dir(), 72h};
}

std::string text(std::size_t n, char c) {
    return std::string(n, c);
}

}  // namespace

TEST_CASE("a package with clean entries is clean", "[clamd][real][package]") {
    ClamdFixture clamd;
    const auto p = package_of({{"kousei.xml", "<kousei/>"}, {"KPFD0006.CSV", text(5000, 'x')}});
    const auto o = scan_package(client_for(clamd), policy_for(clamd), p.bytes, p.entries);
    CHECK(o.status == Status::clean);
    CHECK(to_string(o.status) == "clean");
}

TEST_CASE("EICAR in one entry names that entry", "[clamd][real][package]") {
    ClamdFixture clamd;
    const auto p = package_of({{"kousei.xml", "<kousei/>"},
                               {"attach.txt", sekisho::test::eicar_test_string()},
                               {"KPFD0006.CSV", "x"}});
    const auto o = scan_package(client_for(clamd), policy_for(clamd), p.bytes, p.entries);
    REQUIRE(o.status == Status::infected);
    CHECK(o.signature == sekisho::test::kEicarSignature);
    CHECK(o.entry_index == 1u);
    CHECK(o.entry_name == "attach.txt");
}

TEST_CASE("a finding in the package itself names the package", "[clamd][real][package]") {
    ClamdFixture clamd;
    const auto p = package_of({{"a.txt", "clean"}});
    const std::string bytes = p.bytes + std::string(sekisho::test::kClamdTestMarker);
    const auto o = scan_package(client_for(clamd), policy_for(clamd), bytes, p.entries);
    REQUIRE(o.status == Status::infected);
    CHECK(o.signature == sekisho::test::kMarkerSignature);
    CHECK_FALSE(o.entry_index);
    CHECK(o.entry_name == "(package)");
}

TEST_CASE("stale signatures make a clean package unavailable", "[clamd][real][package]") {
    ClamdFixture clamd;
    std::filesystem::last_write_time(clamd.database_file(), std::chrono::file_clock::now() - 96h);
    const auto clean = package_of({{"a.txt", "clean"}});
    const auto o = scan_package(client_for(clamd), policy_for(clamd), clean.bytes, clean.entries);
    CHECK(o.status == Status::unavailable);
    CHECK(o.reason == Unavailable::stale_signatures);
    // A real finding still rejects, however old the signatures.
    const auto bad = package_of({{"a.txt", sekisho::test::eicar_test_string()}});
    const auto f = scan_package(client_for(clamd), policy_for(clamd), bad.bytes, bad.entries);
    CHECK(f.status == Status::infected);
}

TEST_CASE("an entry beyond the size limit leaves the package unavailable",
          "[clamd][real][package]") {
    ClamdFixture clamd;
    const std::string big = text(clamd.stream_max_bytes() + 1, 'b');
    const auto p = package_of({{"big.pdf", big}, {"a.txt", "clean"}});
    const auto o = scan_package(client_for(clamd), policy_for(clamd), "small", p.entries);
    CHECK(o.status == Status::unavailable);
    CHECK(o.reason == Unavailable::size_limit);
    CHECK_THAT(o.detail, Catch::Contains("entry 0"));
    // A later FOUND is still seen and wins.
    const auto q =
        package_of({{"big.pdf", big}, {"m.txt", std::string(sekisho::test::kClamdTestMarker)}});
    const auto f = scan_package(client_for(clamd), policy_for(clamd), "small", q.entries);
    CHECK(f.status == Status::infected);
    CHECK(f.entry_name == "m.txt");
}

TEST_CASE("a package scan with clamd killed is unreachable", "[clamd][real][package]") {
    ClamdFixture clamd;
    const auto p = package_of({{"a.txt", sekisho::test::eicar_test_string()}});
    clamd.kill();
    const auto o = scan_package(client_for(clamd), policy_for(clamd), p.bytes, p.entries);
    CHECK(o.status == Status::unavailable);
    CHECK(o.reason == Unavailable::unreachable);
    CHECK(to_string(o.status) == "unavailable");
}

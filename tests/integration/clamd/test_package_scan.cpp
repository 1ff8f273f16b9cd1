// Whole-package scans against a real clamd.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/clamd/package_scan.hpp"
#include "adapters/clamd/scan_bundle.hpp"
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

TEST_CASE("clamd that scans archives gets the package and its entries as one bundle",
          "[clamd][real][package]") {
    ClamdFixture clamd;
    const auto client = client_for(clamd);
    const auto check = check_scanner(client, policy_for(clamd), std::chrono::system_clock::now());
    REQUIRE(check.scanner);
    CHECK(check.scanner->scans_archives);
    CHECK_FALSE(check.problem);
    // A finding in any member of a bundle is clamd's finding for the whole stream.
    const auto clean = package_of({{"kousei.xml", "<kousei/>"}, {"a.txt", "clean"}});
    CHECK(client.scan(make_bundle(clean.bytes, clean.entries)).status == ScanResult::Status::clean);
    const auto bad = package_of({{"kousei.xml", "<kousei/>"},
                                 {"a.txt", "clean"},
                                 {"b.txt", std::string(sekisho::test::kClamdTestMarker)}});
    const auto found = client.scan(make_bundle(clean.bytes, bad.entries));
    CHECK(found.status == ScanResult::Status::found);
    CHECK(found.signature == sekisho::test::kMarkerSignature);
    // The outcome still names the entry.
    const auto o = scan_checked(client, check, clean.bytes, bad.entries);
    REQUIRE(o.status == Status::infected);
    CHECK(o.entry_index == 2u);
    CHECK(o.entry_name == "b.txt");
}

TEST_CASE("clamd that does not scan archives gets every entry as a stream of its own",
          "[clamd][real][package]") {
    ClamdFixture clamd(sekisho::test::ClamdOptions{.scan_archive = false});
    const auto check =
        check_scanner(client_for(clamd), policy_for(clamd), std::chrono::system_clock::now());
    REQUIRE(check.scanner);
    CHECK_FALSE(check.scanner->scans_archives);
    const auto p = package_of(
        {{"kousei.xml", "<kousei/>"}, {"attach.txt", sekisho::test::eicar_test_string()}});
    const auto o = scan_checked(client_for(clamd), check, p.bytes, p.entries);
    REQUIRE(o.status == Status::infected);
    CHECK(o.entry_name == "attach.txt");
    CHECK_FALSE(o.scanner->scans_archives);
    const auto clean = package_of({{"kousei.xml", "<kousei/>"}, {"a.txt", "clean"}});
    CHECK(scan_checked(client_for(clamd), check, clean.bytes, clean.entries).status ==
          Status::clean);
}

TEST_CASE("a filing too large for one bundle is scanned a stream per file",
          "[clamd][real][package]") {
    ClamdFixture clamd(sekisho::test::ClamdOptions{.stream_max_length = "16M"});
    const std::string big = text(kMaxBundle / 2, 'b');
    const auto p = package_of(
        {{"a.pdf", big}, {"b.pdf", big}, {"m.txt", std::string(sekisho::test::kClamdTestMarker)}});
    REQUIRE(bundle_size(p.bytes, p.entries) > kMaxBundle);
    const auto o = scan_package(client_for(clamd), policy_for(clamd), "small", p.entries);
    REQUIRE(o.status == Status::infected);
    CHECK(o.entry_name == "m.txt");
    CHECK(o.scanner->scans_archives);
}

TEST_CASE("the pipeline's scanner asks VERSION again only after its interval or a failure",
          "[clamd][real][package]") {
    ClamdFixture clamd;
    PackageScanner scanner(client_for(clamd), policy_for(clamd), 1h);
    const auto p = package_of({{"a.txt", "clean"}});
    const auto t0 = std::chrono::system_clock::now();
    const auto first = scanner.scan(p.bytes, p.entries, t0);
    REQUIRE(first.status == Status::clean);
    REQUIRE(first.scanner);
    CHECK(first.scanner->checked == t0);
    // Within the interval the check is the same one.
    const auto second = scanner.scan(p.bytes, p.entries, t0 + 30min);
    CHECK(second.status == Status::clean);
    CHECK(second.scanner->checked == t0);
    // Past it, asked again: the signatures are now 96 h old by the database file.
    std::filesystem::last_write_time(clamd.database_file(), std::chrono::file_clock::now() - 96h);
    const auto third = scanner.scan(p.bytes, p.entries, t0 + 61min);
    CHECK(third.scanner->checked == t0 + 61min);
    CHECK(third.status == Status::unavailable);
    CHECK(third.reason == Unavailable::stale_signatures);
    // A clamd that went away is noticed at once, and asked again when it is back.
    std::filesystem::last_write_time(clamd.database_file(), std::chrono::file_clock::now());
    clamd.kill();
    const auto gone = scanner.scan(p.bytes, p.entries, t0 + 62min);
    CHECK(gone.status == Status::unavailable);
    CHECK(gone.reason == Unavailable::unreachable);
    clamd.restart();
    const auto back = scanner.scan(p.bytes, p.entries, t0 + 63min);
    CHECK(back.status == Status::clean);
    CHECK(back.scanner->checked == t0 + 63min);
}

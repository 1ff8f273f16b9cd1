// The client against servers that misbehave: none of them may yield a clean scan, and a
// silent one must not hold the caller beyond the timeout.

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "adapters/clamd/client.hpp"
#include "adapters/clamd/package_scan.hpp"
#include "tests/integration/clamd/fake_clamd.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho::clamd;
using namespace std::chrono_literals;
using sekisho::test::FakeBehaviour;
using sekisho::test::FakeClamd;
using sekisho::test::TempDir;
using Status = ScanResult::Status;
using Clock = std::chrono::steady_clock;

namespace {

using namespace std::string_literals;

Client client_for(const FakeClamd& fake, std::chrono::milliseconds timeout = 5s) {
    return Client(Address::parse(fake.socket_path().string()), timeout, 1ull << 40);
}

FakeBehaviour answering(std::string reply) {
    FakeBehaviour b;
    b.reply = std::move(reply);
    return b;
}

}  // namespace

TEST_CASE("a server that never answers times out within the deadline", "[clamd][fake]") {
    TempDir dir;
    FakeBehaviour silent;
    silent.silent = true;
    FakeClamd fake(dir / "clamd.sock", silent);
    const Client client = client_for(fake, 1s);
    // Small: the request fits in the socket buffer and the reply never comes.
    // Large: the server never reads, so the write itself stalls.
    for (const std::size_t size : {std::size_t{100}, std::size_t{32} << 20}) {
        INFO(size);
        const auto start = Clock::now();
        const auto r = client.scan(std::string(size, 'x'));
        const auto took = Clock::now() - start;
        CHECK(r.status == Status::unavailable);
        CHECK(r.reason == Unavailable::timeout);
        CHECK(took >= 900ms);
        CHECK(took < 3s);
    }
    const auto start = Clock::now();
    try {
        client.ping();
        FAIL("PING answered");
    } catch (const ClamdError& e) {
        CHECK(e.reason() == Unavailable::timeout);
    }
    CHECK(Clock::now() - start < 3s);
}

TEST_CASE("replies that are not exactly stream: OK are not clean", "[clamd][fake]") {
    TempDir dir;
    const std::string replies[] = {
        "stream: OK extra\0"s,
        "stream: ok\0"s,
        "garbage\0"s,
        "stream: OK"s,            // no NUL before the server hangs up
        "stream: OK\n"s,          // the newline form of the non-z protocol
        std::string(10000, 'A'),  // unterminated and too long
        "stream: Can't scan ERROR\0"s,
        "\0"s,
    };
    int n = 0;
    for (const auto& reply : replies) {
        INFO(n);
        FakeClamd fake(dir / ("clamd" + std::to_string(n++) + ".sock"), answering(reply));
        const auto r = client_for(fake).scan("hello");
        CHECK(r.status == Status::unavailable);
        CHECK(r.reason == Unavailable::error);
        CHECK(fake.connections() == 1);
    }
}

TEST_CASE("a clean reply before the whole stream was sent is not clean", "[clamd][fake]") {
    TempDir dir;
    FakeBehaviour early = answering("stream: OK\0"s);
    early.early = true;
    FakeClamd fake(dir / "clamd.sock", early);
    // Far more than the socket buffers hold, so the hang-up cuts the stream short.
    const auto r = client_for(fake).scan(std::string(std::size_t{8} << 20, 'x'));
    CHECK(r.status == Status::unavailable);
    CHECK(r.reason == Unavailable::error);
    CHECK_THAT(r.detail, Catch::Contains("incomplete stream"));
}

TEST_CASE("a server that hangs up without a reply is unreachable", "[clamd][fake]") {
    TempDir dir;
    FakeClamd fake(dir / "clamd.sock", FakeBehaviour{});
    const auto r = client_for(fake).scan("hello");
    CHECK(r.status == Status::unavailable);
    CHECK(r.reason == Unavailable::unreachable);
}

TEST_CASE("a missing socket is unreachable", "[clamd][fake]") {
    TempDir dir;
    const Client client(Address::parse((dir / "nothing.sock").string()), 5s, 1ull << 40);
    const auto r = client.scan("hello");
    CHECK(r.status == Status::unavailable);
    CHECK(r.reason == Unavailable::unreachable);
}

TEST_CASE("the fake's OK is trusted only as far as the protocol allows", "[clamd][fake]") {
    TempDir dir;
    // A well-formed clean reply from the fake is clean: the checks above fail for the
    // replies, not for the fake.
    FakeClamd ok(dir / "ok.sock", answering("stream: OK\0"s));
    CHECK(client_for(ok).scan("hello").status == Status::clean);
    FakeClamd found(dir / "found.sock", answering("stream: Some.Sig FOUND\0"s));
    const auto f = client_for(found).scan("hello");
    CHECK(f.status == Status::found);
    CHECK(f.signature == "Some.Sig");
}

TEST_CASE("a package is not clean without a valid VERSION", "[clamd][fake][package]") {
    TempDir dir;
    FakeClamd fake(dir / "clamd.sock", answering("stream: OK\0"s));  // VERSION too
    const Entry entries[] = {{"a.txt", "abc"}};
    const auto o = scan_package(client_for(fake), SignaturePolicy{}, "package", entries);
    CHECK(o.status == ScanOutcome::Status::unavailable);
    CHECK(o.reason == Unavailable::error);
    CHECK_THAT(o.detail, Catch::Contains("VERSION"));
    // The check ran: the operator sees what clamd answered, and no date.
    REQUIRE(o.scanner);
    CHECK(o.scanner->version == "stream: OK");
    CHECK_FALSE(o.scanner->signatures_dated);
}

TEST_CASE("a package scan against a silent server ends at the first timeout",
          "[clamd][fake][package]") {
    TempDir dir;
    FakeBehaviour silent;
    silent.silent = true;
    FakeClamd fake(dir / "clamd.sock", silent);
    const Entry entries[] = {{"a.txt", "abc"}, {"b.txt", "def"}};
    const auto start = Clock::now();
    const auto o = scan_package(client_for(fake, 1s), SignaturePolicy{}, "package", entries);
    CHECK(Clock::now() - start < 3s);
    CHECK(o.status == ScanOutcome::Status::unavailable);
    CHECK(o.reason == Unavailable::timeout);
    CHECK(fake.connections() == 1);
}

TEST_CASE("a package scan reports what VERSION said, clean or stale", "[clamd][fake][package]") {
    TempDir dir;
    FakeBehaviour b = answering("stream: OK\0"s);
    b.version_reply = "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026\0"s;
    FakeClamd fake(dir / "clamd.sock", b);
    const auto built = parse_ctime("Mon Nov 23 08:00:00 2026");
    REQUIRE(built);
    const Entry entries[] = {{"a.txt", "abc"}};
    const auto fresh =
        scan_package(client_for(fake), SignaturePolicy{}, "package", entries, *built + 1h);
    CHECK(fresh.status == ScanOutcome::Status::clean);
    REQUIRE(fresh.scanner);
    CHECK(fresh.scanner->version == "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026");
    CHECK(fresh.scanner->signatures_dated == built);
    CHECK(fresh.scanner->checked == *built + 1h);
    // Stale signatures are no verdict, but what the check found is still reported.
    const auto stale =
        scan_package(client_for(fake), SignaturePolicy{}, "package", entries, *built + 96h);
    CHECK(stale.status == ScanOutcome::Status::unavailable);
    CHECK(stale.reason == Unavailable::stale_signatures);
    REQUIRE(stale.scanner);
    CHECK(stale.scanner->signatures_dated == built);
}

TEST_CASE("a package scan without a VERSION answer reports no scanner", "[clamd][fake][package]") {
    TempDir dir;
    const Client client(Address::parse((dir / "nothing.sock").string()), 5s, 1ull << 40);
    const Entry entries[] = {{"a.txt", "abc"}};
    const auto o = scan_package(client, SignaturePolicy{}, "package", entries);
    CHECK(o.status == ScanOutcome::Status::unavailable);
    CHECK(o.reason == Unavailable::unreachable);
    CHECK_FALSE(o.scanner);
}

TEST_CASE("a clean answer to the archive canary means no bundles, no answer means no check",
          "[clamd][fake][package]") {
    TempDir dir;
    const auto built = parse_ctime("Mon Nov 23 08:00:00 2026");
    REQUIRE(built);
    const Entry entries[] = {{"a.txt", "abc"}, {"b.txt", "def"}};
    {
        // Answers OK to everything, the canary included: every file is a stream of its own.
        FakeBehaviour b = answering("stream: OK\0"s);
        b.version_reply = "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026\0"s;
        FakeClamd fake(dir / "ok.sock", b);
        const auto check = check_scanner(client_for(fake), SignaturePolicy{}, *built + 1h);
        REQUIRE(check.scanner);
        CHECK_FALSE(check.scanner->scans_archives);
        CHECK_FALSE(check.problem);
        const int before = fake.connections();
        CHECK(scan_checked(client_for(fake), check, "package", entries).status ==
              ScanOutcome::Status::clean);
        CHECK(fake.connections() - before == 3);
    }
    {
        // VERSION answered, then every stream dropped: the check itself has no answer, so
        // the pipeline's scanner does not keep it.
        FakeBehaviour b;
        b.version_reply = "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026\0"s;
        FakeClamd fake(dir / "drop.sock", b);
        const auto check = check_scanner(client_for(fake), SignaturePolicy{}, *built + 1h);
        REQUIRE(check.problem);
        CHECK(check.problem->reason == Unavailable::unreachable);
        CHECK_THAT(check.problem->detail, Catch::Contains("archive check"));
        PackageScanner scanner(client_for(fake), SignaturePolicy{}, 1h);
        const int before = fake.connections();
        CHECK(scanner.scan("package", entries, *built + 1h).status ==
              ScanOutcome::Status::unavailable);
        CHECK(scanner.scan("package", entries, *built + 1h).status ==
              ScanOutcome::Status::unavailable);
        CHECK(fake.connections() - before == 4);  // VERSION and canary, twice
    }
}

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/worker_protocol.hpp"

using namespace sekisho::inspect;
using namespace sekisho::inspect::worker;

namespace {

struct SocketPair {
    int a = -1;
    int b = -1;
    SocketPair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        a = fds[0];
        b = fds[1];
    }
    ~SocketPair() {
        close_a();
        if (b >= 0)
            ::close(b);
    }
    void close_a() {
        if (a >= 0)
            ::close(a);
        a = -1;
    }
};

Options full_options() {
    Options o;
    o.limits.max_package = 1234567;
    o.limits.max_uncompressed = 7654321;
    o.limits.max_csv = 4444;
    o.limits.max_entries = 5;
    o.limits.max_ratio = 77;
    o.auth_method = AuthMethod::gbizid;
    o.mynumber_allowed_forms = {"2200700", "2201700", "2265700"};
    o.trust_anchors = {"-----BEGIN CERTIFICATE-----\nAAA\n", std::string("\0\x01\xff", 3)};
    o.crls = {"crl one", ""};
    o.now = 1'790'000'000;
    return o;
}

std::string binary_bytes(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>((i * 131 + 7) & 0xff);
    return s;
}

std::string frame_header(std::uint32_t n) {
    return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
            static_cast<char>(n)};
}

void send_raw(int fd, std::string_view bytes) {
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
}

Inspection sample_inspection() {
    Inspection in;
    in.verdict.add(code::csv_field, "KPFD0006.CSV:7 field 13", "not a date");
    in.verdict.add(code::sig_expired, "kousei.xml ds:Signature", "signer certificate expired");
    in.entries = {{"kousei.xml", "<x/>"}, {"KPFD0006.CSV", binary_bytes(1000)}};
    return in;
}

}  // namespace

TEST_CASE("a request keeps every option and the package bytes", "[worker_protocol]") {
    const Request sent{full_options(), binary_bytes(70000)};
    const Request got = decode_request(encode_request(sent));
    const Options& o = got.options;
    CHECK(o.limits.max_package == 1234567);
    CHECK(o.limits.max_uncompressed == 7654321);
    CHECK(o.limits.max_csv == 4444);
    CHECK(o.limits.max_entries == 5);
    CHECK(o.limits.max_ratio == 77);
    CHECK(o.auth_method == AuthMethod::gbizid);
    CHECK(o.mynumber_allowed_forms == sent.options.mynumber_allowed_forms);
    CHECK(o.trust_anchors == sent.options.trust_anchors);
    CHECK(o.crls == sent.options.crls);
    CHECK(o.now == sent.options.now);
    CHECK(got.package == sent.package);

    Request certificate{Options{}, ""};
    certificate.options.now = -5;  // a time before 1970 still round-trips
    const Request back = decode_request(encode_request(certificate));
    CHECK(back.options.auth_method == AuthMethod::certificate);
    CHECK(back.options.now == -5);
    CHECK(back.package.empty());
}

TEST_CASE("an answer keeps the verdict and the inflated entries", "[worker_protocol]") {
    const Inspection sent = sample_inspection();
    const Answer answer = decode_answer(encode_answer(sent), full_options());
    const auto* got = std::get_if<Inspection>(&answer);
    REQUIRE(got != nullptr);
    CHECK(got->verdict.reasons() == sent.verdict.reasons());
    REQUIRE(got->entries.size() == 2);
    CHECK(got->entries[0].name == "kousei.xml");
    CHECK(got->entries[1].bytes == sent.entries[1].bytes);

    const Answer failure = decode_answer(encode_failure(WorkerFailure::internal_error), Options{});
    REQUIRE(std::holds_alternative<WorkerFailure>(failure));
    CHECK(std::get<WorkerFailure>(failure) == WorkerFailure::internal_error);
}

TEST_CASE("every truncation and every extra byte of a message is refused", "[worker_protocol]") {
    const std::string request = encode_request({full_options(), "PK\x03\x04 bytes"});
    const std::string answer = encode_answer(sample_inspection());
    for (std::size_t n = 0; n < request.size(); ++n)
        CHECK_THROWS_AS(decode_request(request.substr(0, n)), ProtocolError);
    for (std::size_t n = 0; n < answer.size(); ++n)
        CHECK_THROWS_AS(decode_answer(answer.substr(0, n), full_options()), ProtocolError);
    CHECK_THROWS_AS(decode_request(request + "x"), ProtocolError);
    CHECK_THROWS_AS(decode_answer(answer + "x", full_options()), ProtocolError);
    CHECK_THROWS_AS(decode_request(answer), ProtocolError);
    CHECK_THROWS_AS(decode_answer(request, full_options()), ProtocolError);
}

TEST_CASE("garbage and hostile lengths are refused without allocating them", "[worker_protocol]") {
    // A list count or a field length of 2^64-1 must fail on the length check.
    std::string huge_count = encode_request({Options{}, ""});
    const std::size_t forms_at = 1 + 5 * 8 + 1;
    for (std::size_t i = 0; i < 8; ++i)
        huge_count[forms_at + i] = '\xff';
    CHECK_THROWS_AS(decode_request(huge_count), ProtocolError);

    std::string huge_json = encode_answer(Inspection{});
    for (std::size_t i = 1; i < 9; ++i)
        huge_json[i] = '\xff';
    CHECK_THROWS_AS(decode_answer(huge_json, Options{}), ProtocolError);

    CHECK_THROWS_AS(decode_answer("F\x09", Options{}), ProtocolError);  // unknown failure kind
    CHECK_THROWS_AS(decode_answer(std::string("Q\0\0", 3), Options{}), ProtocolError);

    std::string bad_auth = encode_request({Options{}, ""});
    bad_auth[1 + 5 * 8] = 7;
    CHECK_THROWS_AS(decode_request(bad_auth), ProtocolError);

    std::string rng = binary_bytes(4096);
    CHECK_THROWS_AS(decode_request(rng), ProtocolError);
    CHECK_THROWS_AS(decode_answer(rng, full_options()), ProtocolError);
}

TEST_CASE("an answer beyond the limits of its request is refused", "[worker_protocol]") {
    Options sent = full_options();
    Inspection in = sample_inspection();

    sent.limits.max_entries = 1;  // two entries come back
    CHECK_THROWS_AS(decode_answer(encode_answer(in), sent), ProtocolError);

    sent = full_options();
    sent.limits.max_uncompressed = 1003;  // 4 + 1000 bytes come back
    CHECK_THROWS_AS(decode_answer(encode_answer(in), sent), ProtocolError);
    sent.limits.max_uncompressed = 1004;
    CHECK_NOTHROW(decode_answer(encode_answer(in), sent));

    in.entries[0].name = std::string(kMaxEntryName + 1, 'n');
    CHECK_THROWS_AS(decode_answer(encode_answer(in), full_options()), ProtocolError);

    // A verdict whose "verdict" contradicts its reasons is not a verdict.
    std::string lying = encode_answer(sample_inspection());
    const auto at = lying.find("\"reject\"");
    REQUIRE(at != std::string::npos);
    lying.replace(at, 8, "\"accept\"");
    CHECK_THROWS_AS(decode_answer(lying, full_options()), ProtocolError);

    CHECK(max_answer_frame(full_options()) >= encode_answer(sample_inspection()).size());
    CHECK(max_answer_frame(full_options()) < 7654321 + 2 * 1024 * 1024);
}

TEST_CASE("frames pass over a socket and their limits hold", "[worker_protocol]") {
    SocketPair s;
    const std::string big = binary_bytes(300000);
    std::thread writer([&] {
        write_frame(s.a, big);
        write_frame(s.a, "");
    });
    CHECK(read_frame(s.b, big.size()) == big);
    CHECK(read_frame(s.b, 10) == std::string());
    writer.join();

    SECTION("a frame larger than allowed is refused from its header") {
        send_raw(s.a, frame_header(0xffffffffu));
        CHECK_THROWS_AS(read_frame(s.b, kMaxRequestFrame), ProtocolError);
    }
    SECTION("a clean end of stream is no frame; one inside a frame is an error") {
        s.close_a();
        CHECK_FALSE(read_frame(s.b, 100).has_value());
    }
    SECTION("the stream ends inside a header") {
        send_raw(s.a, std::string("\0\0", 2));
        s.close_a();
        CHECK_THROWS_AS(read_frame(s.b, 100), ProtocolError);
    }
    SECTION("the stream ends inside a body") {
        send_raw(s.a, frame_header(10) + "12345");
        s.close_a();
        CHECK_THROWS_AS(read_frame(s.b, 100), ProtocolError);
    }
}

TEST_CASE("a silent peer runs into the deadline", "[worker_protocol]") {
    SocketPair s;
    REQUIRE(::fcntl(s.b, F_SETFL, O_NONBLOCK) == 0);
    send_raw(s.a, frame_header(10) + "123");
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(read_frame(s.b, 100, start + std::chrono::milliseconds(200)), TimeoutError);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= std::chrono::milliseconds(200));
    CHECK(took < std::chrono::seconds(5));

    // A writer whose peer never reads stops at the deadline too.
    REQUIRE(::fcntl(s.a, F_SETFL, O_NONBLOCK) == 0);
    const std::string lots = binary_bytes(32 * 1024 * 1024);
    CHECK_THROWS_AS(
        write_frame(s.a, lots, std::chrono::steady_clock::now() + std::chrono::milliseconds(200)),
        TimeoutError);
}

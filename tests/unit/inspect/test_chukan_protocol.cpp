// The worker protocol's request and answer for 中間サーバー files (worker_protocol.hpp).

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "daemon/inspect/chukan_reason_codes.hpp"
#include "daemon/inspect/worker_protocol.hpp"

using namespace sekisho::inspect;
using namespace sekisho::inspect::worker;

namespace {

ChukanRequest sample_request() {
    ChukanRequest r;
    r.limits.max_bytes = 123456;
    r.limits.max_records = 789;
    r.limits.max_line = 4321;
    r.expected_kind = "HONNIN-RES";
    r.file = std::string("H,HONNIN-RES\r\n\0\xff\x80", 17);
    return r;
}

ChukanInspection sample_inspection() {
    ChukanInspection in;
    in.verdict.add(code::chukan_field, "line 7 field 2", "処理結果: not one of the allowed codes");
    in.records = 42;
    in.flags = {"honnin-multiple-matches:3"};
    return in;
}

ChukanLimits limits() {
    return sample_request().limits;
}

}  // namespace

TEST_CASE("a 中間サーバー request keeps its limits, kind and bytes", "[worker_protocol]") {
    const ChukanRequest sent = sample_request();
    const std::string message = encode_chukan_request(sent);
    CHECK(is_chukan_request(message));
    CHECK_FALSE(is_chukan_request(encode_request({Options{}, "PK"})));
    CHECK_FALSE(is_chukan_request(""));
    const ChukanRequest got = decode_chukan_request(message);
    CHECK(got.limits.max_bytes == 123456);
    CHECK(got.limits.max_records == 789);
    CHECK(got.limits.max_line == 4321);
    CHECK(got.expected_kind == "HONNIN-RES");
    CHECK(got.file == sent.file);
}

TEST_CASE("a 中間サーバー answer keeps the verdict, the record count and the flags",
          "[worker_protocol]") {
    const ChukanInspection sent = sample_inspection();
    const ChukanAnswer answer = decode_chukan_answer(encode_chukan_answer(sent), limits());
    const auto* got = std::get_if<ChukanInspection>(&answer);
    REQUIRE(got != nullptr);
    CHECK(got->verdict.reasons() == sent.verdict.reasons());
    CHECK(got->records == 42);
    CHECK(got->flags == sent.flags);

    const ChukanAnswer failure =
        decode_chukan_answer(encode_failure(WorkerFailure::bad_request), limits());
    REQUIRE(std::holds_alternative<WorkerFailure>(failure));
    CHECK(std::get<WorkerFailure>(failure) == WorkerFailure::bad_request);
}

TEST_CASE("a 中間サーバー message cut short, extended or of the other kind is refused",
          "[worker_protocol]") {
    const std::string request = encode_chukan_request(sample_request());
    const std::string answer = encode_chukan_answer(sample_inspection());
    for (std::size_t n = 0; n < request.size(); ++n)
        CHECK_THROWS_AS(decode_chukan_request(request.substr(0, n)), ProtocolError);
    for (std::size_t n = 0; n < answer.size(); ++n)
        CHECK_THROWS_AS(decode_chukan_answer(answer.substr(0, n), limits()), ProtocolError);
    CHECK_THROWS_AS(decode_chukan_request(request + "x"), ProtocolError);
    CHECK_THROWS_AS(decode_chukan_answer(answer + "x", limits()), ProtocolError);
    // Neither kind of request nor answer passes for the other.
    CHECK_THROWS_AS(decode_request(request), ProtocolError);
    CHECK_THROWS_AS(decode_chukan_request(encode_request({Options{}, "PK"})), ProtocolError);
    CHECK_THROWS_AS(decode_answer(answer, Options{}), ProtocolError);
    CHECK_THROWS_AS(decode_chukan_answer(encode_answer(Inspection{}), limits()), ProtocolError);
}

TEST_CASE("a 中間サーバー answer beyond its bounds is refused", "[worker_protocol]") {
    ChukanInspection in = sample_inspection();
    ChukanLimits sent = limits();
    sent.max_records = 41;  // 42 come back
    CHECK_THROWS_AS(decode_chukan_answer(encode_chukan_answer(in), sent), ProtocolError);

    const std::vector<std::string> bad_flags{"", "Honnin", "name:田中", "a b",
                                             std::string(kMaxFlag + 1, 'a')};
    for (const auto& flag : bad_flags) {
        INFO(flag);
        in = sample_inspection();
        in.flags = {flag};
        CHECK_THROWS_AS(decode_chukan_answer(encode_chukan_answer(in), limits()), ProtocolError);
    }
    in = sample_inspection();
    in.flags.assign(kMaxFlags + 1, "x");
    CHECK_THROWS_AS(decode_chukan_answer(encode_chukan_answer(in), limits()), ProtocolError);
    in.flags.assign(kMaxFlags, std::string(kMaxFlag, 'x'));
    CHECK_NOTHROW(decode_chukan_answer(encode_chukan_answer(in), limits()));
    CHECK(max_chukan_answer_frame() >= encode_chukan_answer(in).size());

    // An expected kind longer than any kind is not a request.
    ChukanRequest r = sample_request();
    r.expected_kind = std::string(kMaxChukanKind + 1, 'K');
    CHECK_THROWS_AS(decode_chukan_request(encode_chukan_request(r)), ProtocolError);
}

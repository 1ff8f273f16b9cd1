#include <catch2/catch.hpp>

#include "adapters/chukan/protocol.hpp"

using namespace sekisho::chukan;

namespace {

const std::string kDigest(64, 'a');

std::string entry(const std::string& id = "R20261124-000017",
                  const std::string& kind = "HONNIN-RES",
                  const std::string& created = "2026-11-24T10:00:00+09:00") {
    return R"({"result_id":")" + id + R"(","kind":")" + kind + R"(","created_at":")" + created +
           R"(","size":8123,"sha256":")" + kDigest + R"(","records":40})";
}

}  // namespace

TEST_CASE("a results page of the spec is read field by field", "[chukan][protocol]") {
    const auto page = parse_results(R"({"total":3,"results":[)" + entry() + "]}");
    CHECK(page.total == 3);
    REQUIRE(page.results.size() == 1);
    const auto& r = page.results.front();
    CHECK(r.result_id == "R20261124-000017");
    CHECK(r.kind == "HONNIN-RES");
    CHECK(r.size == 8123);
    CHECK(r.records == 40);
    CHECK(r.sha256[0] == 0xaa);
    CHECK(
        result_metadata(r) ==
        R"({"result_id":"R20261124-000017","kind":"HONNIN-RES","created_at":"2026-11-24T10:00:00+09:00","records":40})");
}

TEST_CASE("anything the spec does not allow in a results page is refused", "[chukan][protocol]") {
    const auto page = [](const std::string& e) {
        return parse_results(R"({"total":1,"results":[)" + e + "]}");
    };
    CHECK_THROWS_AS(page(entry("../etc")), ProtocolError);
    CHECK_THROWS_AS(page(entry(std::string(65, 'R'))), ProtocolError);
    CHECK_THROWS_AS(page(entry("R1", "HONNIN-REQ")), ProtocolError);  // a request kind
    CHECK_THROWS_AS(page(entry("R1", "HONNIN-RES", "yesterday")), ProtocolError);
    CHECK_THROWS_AS(parse_results("[]"), ProtocolError);
    CHECK_THROWS_AS(parse_results(R"({"total":1})"), ProtocolError);
    CHECK_THROWS_AS(parse_results(R"({"total":-1,"results":[]})"), ProtocolError);
    std::string many = R"({"total":51,"results":[)";
    for (int i = 0; i < 51; ++i)
        many += (i ? "," : "") + entry("R" + std::to_string(i));
    CHECK_THROWS_WITH(parse_results(many + "]}"), Catch::Contains("page limit"));
}

TEST_CASE("request answers and states are read strictly", "[chukan][protocol]") {
    CHECK(parse_request_created(R"({"request_id":"Q-1"})") == "Q-1");
    CHECK_THROWS_AS(parse_request_created(R"({"request_id":"a/b"})"), ProtocolError);
    auto s = parse_request_state(R"({"status":"processing"})");
    CHECK(s.status == RequestStatus::processing);
    CHECK_FALSE(s.result_id);
    s = parse_request_state(R"({"status":"done","result_id":"R20261124-000018"})");
    CHECK(s.status == RequestStatus::done);
    CHECK(s.result_id == "R20261124-000018");
    CHECK_THROWS_WITH(parse_request_state(R"({"status":"done"})"), Catch::Contains("no result_id"));
    CHECK_THROWS_AS(parse_request_state(R"({"status":"finished"})"), ProtocolError);
    CHECK(name(RequestStatus::error) == "error");
}

TEST_CASE("problems keep their type, title and a bounded Retry-After", "[chukan][protocol]") {
    const auto p = parse_problem(
        503, R"({"type":"https://sekisho.example/problems/maintenance","title":"down"})", "120");
    CHECK(p.status == 503);
    CHECK(p.type == "maintenance");
    CHECK(p.title == "down");
    CHECK(p.retry_after == std::chrono::seconds(120));
    CHECK(parse_problem(429, "not json", "999999999").retry_after == std::chrono::hours(24));
    CHECK(is_request_kind("SHOKAI-REQ"));
    CHECK_FALSE(is_result_kind("SHOKAI-REQ"));
}

#include <catch2/catch.hpp>

#include "adapters/mynaportal/protocol.hpp"
#include "common/time_format.hpp"

using namespace sekisho::mynaportal;

namespace {

std::string filing_json(const std::string& arrive_id = "202611240000123",
                        const std::string& sha = std::string(64, 'a')) {
    return R"({"arrive_id": ")" + arrive_id + R"(", "procedure_id": "950A010700005000",
      "form_codes": ["2200700"], "office": {"prefecture": "21", "district": "01",
      "symbol": "ｱｲｳ", "number": "12345"}, "submitted_at": "2026-11-24T08:59:12+09:00",
      "auth_method": "certificate", "size": 48213, "sha256": ")" +
           sha + R"("})";
}

std::string page(const std::string& filings, int limit = 50) {
    return R"({"total": 120, "limit": )" + std::to_string(limit) +
           R"(, "offset": 50, "filings": [)" + filings + "]}";
}

}  // namespace

TEST_CASE("a listing page parses to filings", "[mynaportal][protocol]") {
    const auto p = parse_list(page(filing_json() + "," + filing_json("A-2")));
    CHECK(p.total == 120);
    CHECK(p.offset == 50);
    REQUIRE(p.filings.size() == 2);
    CHECK(p.filings[0].arrive_id == "202611240000123");
    CHECK(p.filings[0].form_codes == std::vector<std::string>{"2200700"});
    CHECK(p.filings[0].office.symbol == "ｱｲｳ");
    CHECK(p.filings[0].size == 48213);
    CHECK(p.filings[0].sha256[0] == 0xaa);
    CHECK(p.filings[1].arrive_id == "A-2");
}

TEST_CASE("listings that break the spec are protocol errors", "[mynaportal][protocol]") {
    CHECK_THROWS_AS(parse_list("not json"), ProtocolError);
    CHECK_THROWS_AS(parse_list(page(filing_json("../etc"))), ProtocolError);
    CHECK_THROWS_AS(parse_list(page(filing_json(std::string(33, '1')))), ProtocolError);
    CHECK_THROWS_AS(parse_list(page(filing_json("A", "xyz"))), ProtocolError);
    CHECK_THROWS_AS(parse_list(page(filing_json() + "," + filing_json("B"), 1)), ProtocolError);
    CHECK_THROWS_AS(parse_list(R"({"total": -1, "limit": 50, "offset": 0, "filings": []})"),
                    ProtocolError);
    std::string no_size = filing_json();
    no_size.replace(no_size.find(R"("size")"), 13, R"("sizes": 1)");
    CHECK_THROWS_AS(parse_list(page(no_size)), ProtocolError);
}

TEST_CASE("login answers carry the token and the password's expiry", "[mynaportal][protocol]") {
    const auto s = parse_login(R"({"access_token": "opaque", "token_type": "Bearer",
        "expires_in": 3600, "password_expires_at": "2027-01-31T00:00:00+09:00"})");
    CHECK(s.access_token == "opaque");
    CHECK(s.expires_in == std::chrono::seconds(3600));
    CHECK(s.password_expires_at_ms == sekisho::parse_rfc3339("2027-01-30T15:00:00Z"));
    CHECK_THROWS_AS(parse_login(R"({"access_token": "x", "token_type": "MAC", "expires_in": 1})"),
                    ProtocolError);
}

TEST_CASE("problems give their short type and Retry-After", "[mynaportal][protocol]") {
    const auto p = parse_problem(401, R"({"type": "https://sekisho.example/problems/token-expired",
        "title": "Token expired", "status": 401})",
                                 "");
    CHECK(p.type == "token-expired");
    CHECK(p.title == "Token expired");
    CHECK_FALSE(p.retry_after);
    const auto q = parse_problem(429, "garbage", "7");
    CHECK(q.status == 429);
    CHECK(q.retry_after == std::chrono::seconds(7));
    CHECK(q.type.empty());
}

TEST_CASE("request bodies are JSON", "[mynaportal][protocol]") {
    CHECK(login_body("K1234567", "p\"w") == R"({"user_id":"K1234567","password":"p\"w"})");
    CHECK(notice_body("received", "", "") == R"({"kind":"received"})");
    CHECK(notice_body("returned", "E-SIG-INVALID", "x") ==
          R"({"kind":"returned","reason_code":"E-SIG-INVALID","message":"x"})");
}

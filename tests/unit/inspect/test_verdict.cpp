#include <catch2/catch.hpp>

#include <stdexcept>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/verdict.hpp"

using namespace sekisho::inspect;

TEST_CASE("a verdict with no reason accepts and one with a reason rejects", "[verdict]") {
    Verdict v;
    CHECK(v.accepted());
    v.add(code::csv_field, "KPFD0006.CSV:6 field 10", "not a real date in its era");
    CHECK_FALSE(v.accepted());
    CHECK(v.has(code::csv_field));
    CHECK_FALSE(v.has(code::csv_form));
}

TEST_CASE("identical reasons are kept once and each code is capped", "[verdict]") {
    Verdict v;
    v.add(code::zip_path, "a", "b");
    v.add(code::zip_path, "a", "b");
    CHECK(v.reasons().size() == 1);
    for (int i = 0; i < 100; ++i)
        v.add(code::csv_field, "line " + std::to_string(i), "rule");
    CHECK(v.reasons().size() == 1 + Verdict::kMaxPerCode);
    CHECK(v.codes() == std::set<std::string>{"E-ZIP-PATH", "E-CSV-FIELD"});
}

TEST_CASE("a verdict survives its JSON form", "[verdict]") {
    Verdict v;
    v.add(code::sig_expired, "kousei.xml ds:Signature", "signer certificate has expired");
    v.add(code::csv_count, "000_01.xml 届書件数", "disagrees with the CSV");
    const Verdict back = verdict_from_json(to_json(v));
    CHECK(back.reasons() == v.reasons());
    CHECK(to_json(Verdict{}) == R"({"verdict":"accept","reasons":[]})");
}

TEST_CASE("malformed or self-contradicting verdict JSON is refused", "[verdict]") {
    CHECK_THROWS_AS(verdict_from_json("[]"), std::runtime_error);
    CHECK_THROWS_AS(verdict_from_json(R"({"verdict":"accept"})"), std::runtime_error);
    CHECK_THROWS_AS(
        verdict_from_json(
            R"({"verdict":"accept","reasons":[{"code":"E-ZIP-PATH","where":"x","detail":"y"}]})"),
        std::runtime_error);
    CHECK_THROWS_AS(verdict_from_json(R"({"verdict":"reject","reasons":[]})"), std::runtime_error);
}

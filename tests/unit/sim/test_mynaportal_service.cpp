// The Mynaportal simulator's service logic without sockets: routing, session state,
// paging, notices and fault counting.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include "tests/sim/common/recorder.hpp"
#include "tests/sim/mynaportal/mynaportal_service.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho::sim;
using namespace sekisho::sim::mynaportal;
using sekisho::test::TempDir;
using sekisho::test::write_file;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr auto kRequestId = "0b4f5a9e-3c1d-4e2f-9a8b-7c6d5e4f3a2b";

// A request as the Sekisho client sends it, before auth and body.
Request request(const std::string& method, const std::string& target) {
    Request r;
    r.method = method;
    r.target = target;
    r.user_agent = "sekisho/0.1.0";
    r.request_id = kRequestId;
    return r;
}

// A service over a temporary filings directory, with a clock the test moves.
struct Sim {
    TempDir dir;
    TimePoint clock = *parse_rfc3339("2026-11-24T09:00:00+09:00");
    std::optional<Service> service;

    explicit Sim(FaultSettings faults = {}, std::optional<TimePoint> password_expires = {}) {
        Settings s;
        s.filings_dir = dir.path();
        s.password_expires_at = password_expires;
        s.faults = faults;
        s.clock = [this] { return clock; };
        service.emplace(std::move(s));
    }

    // A filing with a sidecar submitted at the given minute of 2026-11-24 08:xx JST.
    void add(const std::string& id, int minute, const std::string& bytes = "PK-bytes") {
        write_file(dir / (id + ".zip"), bytes + id);
        char when[40];
        std::snprintf(when, sizeof when, "2026-11-24T08:%02d:00+09:00", minute);
        write_file(dir / (id + ".json"),
                   json::serialize(json::object{{"arrive_id", id},
                                                {"procedure_id", "950A010700005000"},
                                                {"form_codes", json::array{"2200700"}},
                                                {"office", json::object{{"prefecture", "21"}}},
                                                {"submitted_at", when},
                                                {"auth_method", "gbizid"},
                                                {"expect", "accept"}}));
    }

    Response call(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& token = "") {
        Request r = request(method, target);
        r.authorization = token.empty() ? "" : "Bearer " + token;
        r.content_type = body.empty() ? "" : "application/json";
        r.body = body;
        return service->handle(r);
    }

    Response login(const std::string& password = std::string(kDefaultPassword)) {
        return call(
            "POST", "/v1/auth/login",
            json::serialize(json::object{{"user_id", kDefaultUserId}, {"password", password}}));
    }

    std::string token() {
        const auto r = login();
        REQUIRE(r.status == 200);
        return std::string(json::parse(r.body).at("access_token").as_string());
    }

    Response notice(const std::string& token, const std::string& id, json::object body) {
        return call("POST", "/v1/filings/" + id + "/notices", json::serialize(body), token);
    }
};

json::object body_of(const Response& r) {
    return json::parse(r.body).as_object();
}

// A problem+json answer of the given status and type (the part after /problems/).
void check_problem(const Response& r, unsigned status, const std::string& type) {
    CHECK(r.status == status);
    CHECK(r.content_type == "application/problem+json");
    const auto b = body_of(r);
    CHECK(b.at("type").as_string() == std::string(kProblemBase) + type);
    CHECK(b.at("status").as_int64() == status);
    CHECK(!b.at("title").as_string().empty());
}

std::vector<std::string> listed_ids(const Response& r) {
    std::vector<std::string> ids;
    const auto body = body_of(r);
    for (const auto& f : body.at("filings").as_array())
        ids.emplace_back(f.at("arrive_id").as_string());
    return ids;
}

FaultSettings every(Fault f, std::uint64_t n) {
    FaultSettings s;
    s.every[static_cast<std::size_t>(f)] = n;
    return s;
}

}  // namespace

TEST_CASE("every request needs User-Agent: sekisho/... and a UUID X-Request-Id",
          "[sim][mynaportal]") {
    Sim sim;
    Request r = request("POST", "/v1/auth/login");
    r.user_agent = "curl/8";
    check_problem(sim.service->handle(r), 400, "bad-request");
    r.user_agent = "sekisho/1.0";
    r.request_id = "";
    check_problem(sim.service->handle(r), 400, "bad-request");
    r.request_id = "not-a-uuid";
    check_problem(sim.service->handle(r), 400, "bad-request");
}

TEST_CASE("login hands out a Bearer token, wrong credentials get 401 bad-credentials",
          "[sim][mynaportal]") {
    Sim sim;
    const auto ok = sim.login();
    REQUIRE(ok.status == 200);
    CHECK(ok.content_type == "application/json");
    const auto b = body_of(ok);
    CHECK(b.at("token_type").as_string() == "Bearer");
    CHECK(b.at("expires_in").as_int64() == 3600);
    CHECK(b.at("access_token").as_string().size() >= 32);
    const std::string expires(b.at("password_expires_at").as_string());
    CHECK(expires.ends_with("+09:00"));
    CHECK(parse_rfc3339(expires) > sim.clock + std::chrono::days(364));
    check_problem(sim.login("wrong"), 401, "bad-credentials");
    check_problem(sim.call("POST", "/v1/auth/login", R"({"user_id":"K1234567"})"), 400,
                  "bad-request");
    Request no_type = request("POST", "/v1/auth/login");
    no_type.body = R"({"user_id":"K1234567","password":"x"})";
    check_problem(sim.service->handle(no_type), 415, "unsupported-media-type");
}

TEST_CASE("tokens expire after their lifetime and end with logout", "[sim][mynaportal]") {
    Sim sim;
    const auto token = sim.token();
    const std::string list = "/v1/filings?status=arrived&limit=50&offset=0";
    CHECK(sim.call("GET", list, "", token).status == 200);
    check_problem(sim.call("GET", list), 401, "token-expired");
    check_problem(sim.call("GET", list, "", "made-up"), 401, "token-expired");

    SECTION("expiry") {
        sim.clock += 3599s;
        CHECK(sim.call("GET", list, "", token).status == 200);
        sim.clock += 1s;
        const auto r = sim.call("GET", list, "", token);
        check_problem(r, 401, "token-expired");
        CHECK(r.header("WWW-Authenticate").starts_with("Bearer"));
    }
    SECTION("logout") {
        CHECK(sim.call("POST", "/v1/auth/logout", "", token).status == 204);
        check_problem(sim.call("GET", list, "", token), 401, "token-expired");
        check_problem(sim.call("POST", "/v1/auth/logout", "", token), 401, "token-expired");
    }
}

TEST_CASE("an expired password refuses login until it is changed", "[sim][mynaportal]") {
    // Half an hour after the start: the token issued at the start outlives the password.
    const auto expiry = *parse_rfc3339("2026-11-24T09:30:00+09:00");
    Sim sim({}, expiry);
    const auto early_token = sim.token();
    sim.clock = expiry;
    check_problem(sim.login(), 403, "password-expired");
    check_problem(sim.login("wrong"), 401, "bad-credentials");
    const auto change = [](const std::string& current, const std::string& next) {
        return json::serialize(json::object{
            {"user_id", kDefaultUserId}, {"current_password", current}, {"new_password", next}});
    };

    SECTION("without a token, naming the user") {
        check_problem(sim.call("POST", "/v1/auth/password", change("wrong", "n3w")), 401,
                      "bad-credentials");
        check_problem(sim.call("POST", "/v1/auth/password",
                               R"({"current_password":"sekisho-sim-password","new_password":"x"})"),
                      401, "token-expired");
        CHECK(sim.call("POST", "/v1/auth/password", change(std::string(kDefaultPassword), "n3w"))
                  .status == 204);
    }
    SECTION("with a token issued before the expiry") {
        CHECK(sim.call("POST", "/v1/auth/password",
                       R"({"current_password":"sekisho-sim-password","new_password":"n3w"})",
                       early_token)
                  .status == 204);
    }
    check_problem(sim.login(), 401, "bad-credentials");
    const auto ok = sim.login("n3w");
    REQUIRE(ok.status == 200);
    const auto next_expiry = parse_rfc3339(body_of(ok).at("password_expires_at").as_string());
    CHECK(next_expiry >= sim.clock + std::chrono::days(365) - 1s);
}

TEST_CASE("a password change needs a token while the password is valid", "[sim][mynaportal]") {
    Sim sim;
    const std::string body =
        R"({"user_id":"K1234567","current_password":"sekisho-sim-password","new_password":"n"})";
    check_problem(sim.call("POST", "/v1/auth/password", body), 401, "token-expired");
    const auto token = sim.token();
    check_problem(
        sim.call("POST", "/v1/auth/password",
                 R"({"current_password":"sekisho-sim-password","new_password":""})", token),
        400, "bad-request");
    CHECK(sim.call("POST", "/v1/auth/password", body, token).status == 204);
    CHECK(sim.login("n").status == 200);
}

TEST_CASE("listing pages through arrived filings oldest first", "[sim][mynaportal]") {
    Sim sim;
    sim.add("A5", 5);
    sim.add("B1", 1);
    sim.add("C3", 3);
    sim.add("A3", 3);  // same time as C3: arrive_id decides
    sim.add("D9", 9);
    const auto token = sim.token();
    const auto page = [&](int limit, int offset) {
        return sim.call("GET",
                        "/v1/filings?status=arrived&limit=" + std::to_string(limit) +
                            "&offset=" + std::to_string(offset),
                        "", token);
    };
    const auto first = page(2, 0);
    REQUIRE(first.status == 200);
    const auto b = body_of(first);
    CHECK(b.at("total").as_int64() == 5);
    CHECK(b.at("limit").as_int64() == 2);
    CHECK(b.at("offset").as_int64() == 0);
    CHECK(listed_ids(first) == std::vector<std::string>{"B1", "A3"});
    CHECK(listed_ids(page(2, 2)) == std::vector<std::string>{"C3", "A5"});
    CHECK(listed_ids(page(2, 4)) == std::vector<std::string>{"D9"});
    CHECK(listed_ids(page(50, 5)).empty());
    CHECK(body_of(page(50, 5)).at("total").as_int64() == 5);

    const auto& f = b.at("filings").as_array().at(0).as_object();
    CHECK(f.at("procedure_id").as_string() == "950A010700005000");
    CHECK(f.at("auth_method").as_string() == "gbizid");
    CHECK(f.at("size").as_int64() == static_cast<std::int64_t>(std::string("PK-bytesB1").size()));
    CHECK(f.at("sha256").as_string() == hex(sha256("PK-bytesB1")));
    CHECK(!f.contains("expect"));

    check_problem(page(0, 0), 400, "bad-request");
    check_problem(page(51, 0), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/filings?status=arrived&limit=x", "", token), 400,
                  "bad-request");
    check_problem(sim.call("GET", "/v1/filings?limit=5", "", token), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/filings?status=all", "", token), 400, "bad-request");
}

TEST_CASE("filings without sidecar get defaults and new files show up on the next list",
          "[sim][mynaportal]") {
    Sim sim;
    const auto token = sim.token();
    const std::string list = "/v1/filings?status=arrived&limit=50&offset=0";
    CHECK(body_of(sim.call("GET", list, "", token)).at("total").as_int64() == 0);
    write_file(sim.dir / "202611240000123.zip", "zip");
    const auto r = sim.call("GET", list, "", token);
    REQUIRE(listed_ids(r) == std::vector<std::string>{"202611240000123"});
    const auto f = body_of(r).at("filings").as_array().at(0).as_object();
    for (const auto* key : {"procedure_id", "form_codes", "office", "submitted_at", "auth_method"})
        CHECK(f.contains(key));
    CHECK(parse_rfc3339(f.at("submitted_at").as_string()).has_value());
}

TEST_CASE("packages come with Repr-Digest, downloaded is idempotent and hides the filing",
          "[sim][mynaportal]") {
    Sim sim;
    sim.add("F1", 1);
    sim.add("F2", 2);
    const auto token = sim.token();
    const auto pkg = sim.call("GET", "/v1/filings/F1/package", "", token);
    REQUIRE(pkg.status == 200);
    CHECK(pkg.content_type == "application/zip");
    CHECK(pkg.body == "PK-bytesF1");
    CHECK(pkg.header("Repr-Digest") == "sha-256=:" + base64(sha256("PK-bytesF1")) + ":");
    CHECK(pkg.record.at("arrive_id").as_string() == "F1");

    CHECK(sim.call("POST", "/v1/filings/F1/downloaded", "", token).status == 204);
    CHECK(sim.call("POST", "/v1/filings/F1/downloaded", "", token).status == 204);
    const auto list = sim.call("GET", "/v1/filings?status=arrived&limit=50&offset=0", "", token);
    CHECK(listed_ids(list) == std::vector<std::string>{"F2"});
    CHECK(body_of(list).at("total").as_int64() == 1);
    CHECK(sim.call("GET", "/v1/filings/F1/package", "", token).status == 200);

    check_problem(sim.call("GET", "/v1/filings/NOPE/package", "", token), 404, "not-found");
    check_problem(sim.call("POST", "/v1/filings/NOPE/downloaded", "", token), 404, "not-found");
    check_problem(sim.call("GET", "/v1/filings/bad_id/package", "", token), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/filings/" + std::string(33, '1') + "/package", "", token),
                  400, "bad-request");
    check_problem(sim.call("GET", "/v1/filings/F1/package"), 401, "token-expired");
    check_problem(sim.call("POST", "/v1/filings/F1/package", "", token), 405, "method-not-allowed");
    check_problem(sim.call("GET", "/v1/filings/F1", "", token), 404, "not-found");
    check_problem(sim.call("GET", "/v2/other", "", token), 404, "not-found");
}

TEST_CASE("notices are idempotent, a second, different final notice conflicts",
          "[sim][mynaportal]") {
    Sim sim;
    sim.add("F1", 1);
    const auto token = sim.token();
    const auto received =
        sim.notice(token, "F1", {{"kind", "received"}, {"message", "受付しました"}});
    REQUIRE(received.status == 201);
    const auto id = body_of(received).at("notice_id").as_string();
    CHECK(received.record.at("notice").at("kind").as_string() == "received");
    CHECK(received.record.at("notice").at("notice_id").as_string() == id);
    const auto again = sim.notice(token, "F1", {{"kind", "received"}, {"message", "受付しました"}});
    CHECK(again.status == 201);
    CHECK(body_of(again).at("notice_id").as_string() == id);

    const json::object returned{{"kind", "returned"},
                                {"reason_code", "E-SIG-INVALID"},
                                {"message", "署名を検証できません"}};
    const auto ret = sim.notice(token, "F1", returned);
    REQUIRE(ret.status == 201);
    CHECK(ret.record.at("notice").at("reason_code").as_string() == "E-SIG-INVALID");
    const auto ret_id = body_of(ret).at("notice_id").as_string();
    CHECK(ret_id != id);
    CHECK(body_of(sim.notice(token, "F1", returned)).at("notice_id").as_string() == ret_id);
    check_problem(sim.notice(token, "F1", {{"kind", "accepted"}}), 409, "notice-conflict");
    check_problem(sim.notice(token, "F1",
                             {{"kind", "returned"}, {"reason_code", "E-OTHER"}, {"message", "x"}}),
                  409, "notice-conflict");
    check_problem(sim.notice(token, "NOPE", {{"kind", "received"}}), 404, "not-found");
}

TEST_CASE("notice bodies are validated and must not carry a 個人番号", "[sim][mynaportal]") {
    Sim sim;
    sim.add("F1", 1);
    const auto token = sim.token();
    check_problem(sim.notice(token, "F1", {{"kind", "maybe"}}), 400, "bad-request");
    check_problem(sim.notice(token, "F1", {{"kind", "returned"}}), 400, "bad-request");
    check_problem(sim.notice(token, "F1", {{"kind", "returned"}, {"reason_code", "SIG"}}), 400,
                  "bad-request");
    check_problem(sim.notice(token, "F1", {{"kind", "returned"}, {"reason_code", "E-sig"}}), 400,
                  "bad-request");
    check_problem(sim.notice(token, "F1", {{"kind", "received"}, {"message", 12}}), 400,
                  "bad-request");
    check_problem(
        sim.notice(token, "F1", {{"kind", "received"}, {"message", std::string(401, 'a')}}), 400,
        "bad-request");
    std::string kana;
    for (int i = 0; i < 400; ++i)
        kana += "あ";
    CHECK(sim.notice(token, "F1", {{"kind", "received"}, {"message", kana}}).status == 201);
    check_problem(sim.notice(token, "F1", {{"kind", "received"}, {"message", "番号 123456789018"}}),
                  400, "personal-number");
    check_problem(
        sim.notice(token, "F1", {{"kind", "received"}, {"message", "番号 1234-5678-9018 です"}}),
        400, "personal-number");
    CHECK(sim.notice(token, "F1", {{"kind", "received"}, {"message", "到達番号 202611240000123"}})
              .status == 201);
}

TEST_CASE("a run of exactly 12 digits is the shape of a 個人番号", "[sim][mynaportal]") {
    CHECK(contains_twelve_digit_run("123456789012"));
    CHECK(contains_twelve_digit_run("x 1234 5678 9012 y"));
    CHECK(contains_twelve_digit_run("１２３４５６７８９０１２"));
    CHECK_FALSE(contains_twelve_digit_run("12345678901"));
    CHECK_FALSE(contains_twelve_digit_run("1234567890123"));
    CHECK_FALSE(contains_twelve_digit_run("2026-11-24T09:00:00+09:00"));
}

TEST_CASE("request-level faults fire on every Nth request and spare the next one",
          "[sim][mynaportal][faults]") {
    SECTION("error500 every 3rd: the request after a fault is neither faulted nor counted") {
        Sim sim(every(Fault::error500, 3));
        std::vector<unsigned> statuses;
        for (int i = 0; i < 9; ++i)
            statuses.push_back(sim.login().status);
        CHECK(statuses == std::vector<unsigned>{200, 200, 500, 200, 200, 200, 500, 200, 200});
        CHECK(sim.login().status == 200);  // the 8th counted
        const auto r = sim.login();
        check_problem(r, 500, "internal-error");
        CHECK(r.fault == "error500");
    }
    SECTION("every request: every other attempt goes through") {
        Sim sim(every(Fault::throttle, 1));
        const auto r = sim.login();
        check_problem(r, 429, "too-many-requests");
        CHECK(r.header("Retry-After") == "1");
        CHECK(r.fault == "throttle");
        CHECK(sim.login().status == 200);
        CHECK(sim.login().status == 429);
        CHECK(sim.login().status == 200);
    }
    SECTION("unavailable carries Retry-After") {
        Sim sim(every(Fault::unavailable, 1));
        const auto r = sim.login();
        check_problem(r, 503, "service-unavailable");
        CHECK(r.header("Retry-After") == "1");
    }
    SECTION("reset answers nothing and changes no state") {
        Sim sim(every(Fault::reset, 2));
        const auto token = sim.token();
        const auto r = sim.call("POST", "/v1/auth/logout", "", token);
        CHECK(r.delivery == Delivery::reset);
        CHECK(r.fault == "reset");
        CHECK(sim.call("POST", "/v1/auth/logout", "", token).status == 204);
    }
    SECTION("requests refused for missing headers are not counted") {
        Sim sim(every(Fault::error500, 2));
        CHECK(sim.login().status == 200);
        CHECK(sim.service->handle(Request{}).status == 400);
        CHECK(sim.login().status == 500);
    }
}

TEST_CASE("expire-tokens invalidates a valid token, the retry after a new login succeeds",
          "[sim][mynaportal][faults]") {
    Sim sim(every(Fault::expire_tokens, 1));
    const std::string list = "/v1/filings?status=arrived&limit=50&offset=0";
    const auto token = sim.token();  // login carries no token: not eligible
    const auto r = sim.call("GET", list, "", token);
    check_problem(r, 401, "token-expired");
    CHECK(r.fault == "expire-tokens");
    check_problem(sim.call("GET", list, "", token), 401, "token-expired");  // really forgotten
    const auto fresh = sim.token();
    CHECK(sim.call("GET", list, "", fresh).status == 200);
    // The previous request was not faulted and the grace is used up: this one expires.
    CHECK(sim.call("GET", list, "", fresh).fault == "expire-tokens");
}

TEST_CASE("download faults count package downloads only", "[sim][mynaportal][faults]") {
    SECTION("truncate") {
        Sim sim(every(Fault::truncate, 2));
        sim.add("F1", 1);
        const auto token = sim.token();
        CHECK(sim.call("GET", "/v1/filings/F1/package", "", token).delivery == Delivery::normal);
        sim.call("POST", "/v1/filings/F1/downloaded", "", token);  // not a download
        const auto cut = sim.call("GET", "/v1/filings/F1/package", "", token);
        CHECK(cut.delivery == Delivery::truncate);
        CHECK(cut.fault == "truncate");
        CHECK(cut.body == "PK-bytesF1");  // the network layer sends half of it
        CHECK(sim.call("GET", "/v1/filings/F1/package", "", token).delivery == Delivery::normal);
    }
    SECTION("wrong digest") {
        Sim sim(every(Fault::wrong_digest, 1));
        sim.add("F1", 1);
        const auto token = sim.token();
        const auto good = "sha-256=:" + base64(sha256("PK-bytesF1")) + ":";
        const auto bad = sim.call("GET", "/v1/filings/F1/package", "", token);
        CHECK(bad.status == 200);
        CHECK(bad.fault == "wrong-digest");
        CHECK(bad.header("Repr-Digest") != good);
        CHECK(sim.call("GET", "/v1/filings/F1/package", "", token).header("Repr-Digest") == good);
        CHECK(sim.call("GET", "/v1/filings/F1/package", "", token).fault == "wrong-digest");
    }
}

TEST_CASE("the record line names request, answer, certificate, filing and notice",
          "[sim][mynaportal]") {
    Request req = request("POST", "/v1/filings/F1/notices");
    req.client_cert_sha256 = "ab12";
    Response res;
    res.status = 201;
    res.record["arrive_id"] = "F1";
    res.record["notice"] = json::object{
        {"kind", "returned"}, {"notice_id", "ntc-1"}, {"reason_code", "E-SIG-INVALID"}};
    const auto line = record_line(req, res, *parse_rfc3339("2026-11-24T00:00:00Z"));
    REQUIRE(line.ends_with("\n"));
    const auto o = json::parse(line).as_object();
    CHECK(o.at("t").as_string().starts_with("2026-11-24T00:00:00"));
    CHECK(o.at("method").as_string() == "POST");
    CHECK(o.at("status").as_int64() == 201);
    CHECK(o.at("request_id").as_string() == kRequestId);
    CHECK(o.at("user_agent").as_string() == "sekisho/0.1.0");
    CHECK(o.at("client_cert_sha256").as_string() == "ab12");
    CHECK(o.at("arrive_id").as_string() == "F1");
    CHECK(o.at("notice").at("reason_code").as_string() == "E-SIG-INVALID");
    CHECK(o.at("notice").at("notice_id").as_string() == "ntc-1");
    CHECK(!o.contains("fault"));
}

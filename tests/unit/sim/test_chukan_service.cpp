// The 中間サーバー simulator's service logic without sockets: the result directory with its
// sidecars, paging, acks, requests from PUT to done or error, and the result files it makes,
// which the gateway's own inspector must accept.

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "daemon/inspect/chukan_file.hpp"
#include "tests/sim/chukan/chukan_service.hpp"
#include "tests/sim/chukan/result_maker.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho::sim;
using namespace sekisho::sim::chukan;
using sekisho::test::read_file;
using sekisho::test::TempDir;
using sekisho::test::write_file;
namespace json = boost::json;

namespace {

constexpr auto kRequestId = "0b4f5a9e-3c1d-4e2f-9a8b-7c6d5e4f3a2b";

std::string file_of(const std::string& kind, int records) {
    std::string text = "H," + kind + ",06230017,20261124100000," + std::to_string(records) + "\r\n";
    for (int i = 1; i <= records; ++i)
        text += std::to_string(i) + ",x\r\n";
    return text + "T," + std::to_string(records) + "\r\n";
}

// A service over a temporary results directory.
struct Sim {
    TempDir dir;
    std::optional<Service> service;

    explicit Sim(Settings s = {}) {
        s.results_dir = dir.path();
        service.emplace(std::move(s));
    }

    Response call(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& kind = "",
                  const std::string& content_type = "text/csv; charset=Shift_JIS") {
        Request r;
        r.method = method;
        r.target = target;
        r.user_agent = "sekisho/0.1.0";
        r.request_id = kRequestId;
        if (!kind.empty())
            r.headers.emplace_back("X-Request-Kind", kind);
        if (!body.empty())
            r.content_type = content_type;
        r.body = body;
        return service->handle(r);
    }

    Response put(const std::string& id, const std::string& kind, const std::string& body) {
        return call("PUT", "/v1/requests/" + id, body, kind);
    }

    std::vector<std::string> listed_ids(const std::string& query = "") {
        const auto r = call("GET", "/v1/results" + query);
        REQUIRE(r.status == 200);
        std::vector<std::string> ids;
        const auto list = json::parse(r.body);
        for (const auto& e : list.at("results").as_array())
            ids.emplace_back(e.at("result_id").as_string());
        return ids;
    }

    std::string poll(const std::string& request_id) {
        const auto r = call("GET", "/v1/requests/" + request_id);
        REQUIRE(r.status == 200);
        return std::string(json::parse(r.body).at("status").as_string());
    }
};

json::object body_of(const Response& r) {
    return json::parse(r.body).as_object();
}

void check_problem(const Response& r, unsigned status, const std::string& type) {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.content_type == "application/problem+json");
    CHECK(body_of(r).at("type").as_string() == std::string(kProblemBase) + type);
}

}  // namespace

TEST_CASE("the shape of a file: header kind and the lines between header and trailer",
          "[sim][chukan]") {
    CHECK(shape_of(file_of("HONNIN-RES", 3)).kind == "HONNIN-RES");
    CHECK(shape_of(file_of("HONNIN-RES", 3)).records == 3);
    CHECK(shape_of("H,SHOKAI-RES,1,2,2\n1\n2").records == 2);  // no trailer, no CR
    CHECK(shape_of("H,SHOKAI-RES").kind == "SHOKAI-RES");
    CHECK(shape_of("X,SHOKAI-RES,1\r\n").kind.empty());
    CHECK(shape_of("").records == 0);
}

TEST_CASE("results: kinds from the header or a sidecar, others skipped, sorted by result_id",
          "[sim][chukan]") {
    Sim sim;
    write_file(sim.dir / "R-2.csv", file_of("HONNIN-RES", 2));
    write_file(sim.dir / "R-1.csv", file_of("SHOKAI-RES", 4));
    write_file(sim.dir / "R-req.csv", file_of("HONNIN-REQ", 1));         // a request: skipped
    write_file(sim.dir / "R_bad.csv", file_of("HONNIN-RES", 1));         // not an id: ignored
    write_file(sim.dir / "R-3.txt", file_of("HONNIN-RES", 1));           // not .csv: ignored
    write_file(sim.dir / "R-broken.csv", "\xff\xfe not a file at all");  // listed by its sidecar
    write_file(sim.dir / "R-broken.json", R"({"kind": "SHIKAKU-REG-RES", "records": 7})");
    write_file(sim.dir / "R-badcar.csv", file_of("HONNIN-RES", 1));
    write_file(sim.dir / "R-badcar.json", R"({"records": -1})");

    CHECK(sim.listed_ids() == std::vector<std::string>{"R-1", "R-2", "R-broken"});
    const auto list = body_of(sim.call("GET", "/v1/results"));
    CHECK(list.at("total").as_int64() == 3);
    const auto& first = list.at("results").at(0).as_object();
    const std::string bytes = file_of("SHOKAI-RES", 4);
    CHECK(first.at("kind").as_string() == "SHOKAI-RES");
    CHECK(first.at("records").as_int64() == 4);
    CHECK(first.at("size").as_int64() == static_cast<std::int64_t>(bytes.size()));
    CHECK(first.at("sha256").as_string() == hex(sha256(bytes)));
    CHECK(first.at("created_at").as_string().ends_with("+09:00"));
    const auto& broken = list.at("results").at(2).as_object();
    CHECK(broken.at("kind").as_string() == "SHIKAKU-REG-RES");
    CHECK(broken.at("records").as_int64() == 7);

    // A file dropped in later is found by its id at once.
    write_file(sim.dir / "R-0.csv", file_of("HONNIN-RES", 1));
    CHECK(sim.call("GET", "/v1/results/R-0").status == 200);
}

TEST_CASE("paging, download with digest, and acks", "[sim][chukan]") {
    Sim sim;
    for (int i = 0; i < 7; ++i)
        write_file(sim.dir / ("R-" + std::to_string(i) + ".csv"), file_of("HONNIN-RES", i + 1));
    CHECK(sim.listed_ids("?limit=3") == std::vector<std::string>{"R-0", "R-1", "R-2"});
    CHECK(sim.listed_ids("?limit=3&offset=6") == std::vector<std::string>{"R-6"});
    CHECK(sim.listed_ids("?offset=9").empty());
    check_problem(sim.call("GET", "/v1/results?limit=0"), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/results?limit=51"), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/results?offset=-1"), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/results?limit=x"), 400, "bad-request");

    const auto got = sim.call("GET", "/v1/results/R-3");
    CHECK(got.status == 200);
    CHECK(got.body == file_of("HONNIN-RES", 4));
    CHECK(got.content_type == "text/csv; charset=Shift_JIS");
    CHECK(got.header("Repr-Digest") == "sha-256=:" + base64(sha256(got.body)) + ":");
    CHECK(got.record.at("result_id").as_string() == "R-3");

    CHECK(sim.call("POST", "/v1/results/R-3/ack").status == 204);
    CHECK(sim.call("POST", "/v1/results/R-3/ack").status == 204);
    CHECK(body_of(sim.call("GET", "/v1/results")).at("total").as_int64() == 6);
    CHECK(sim.listed_ids("?limit=3&offset=3") == std::vector<std::string>{"R-4", "R-5", "R-6"});
    CHECK(sim.call("GET", "/v1/results/R-3").status == 200);  // still downloadable

    check_problem(sim.call("POST", "/v1/results/NOPE/ack"), 404, "not-found");
    check_problem(sim.call("GET", "/v1/results/NOPE"), 404, "not-found");
    check_problem(sim.call("GET", "/v1/results/a_b"), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/results/R-3/ack"), 405, "method-not-allowed");
    check_problem(sim.call("POST", "/v1/results"), 405, "method-not-allowed");
    check_problem(sim.call("DELETE", "/v1/requests/C1"), 405, "method-not-allowed");
    check_problem(sim.call("GET", "/v1/results/R-3/other"), 404, "not-found");
    check_problem(sim.call("GET", "/v2/results"), 404, "not-found");
}

TEST_CASE("PUT takes a request once, repeats answer the same, other bytes conflict",
          "[sim][chukan]") {
    Sim sim;
    const auto body = file_of("HONNIN-REQ", 3);
    const auto created = sim.put("C-1", "HONNIN-REQ", body);
    CHECK(created.status == 201);
    const std::string id(body_of(created).at("request_id").as_string());
    CHECK(id.starts_with("Q"));
    CHECK(created.record.at("client_request_id").as_string() == "C-1");
    CHECK(created.record.at("request_kind").as_string() == "HONNIN-REQ");
    CHECK(created.record.at("issued_request_id").as_string() == id);

    const auto again = sim.put("C-1", "HONNIN-REQ", body);
    CHECK(again.status == 200);
    CHECK(body_of(again).at("request_id").as_string() == id);
    check_problem(sim.put("C-1", "HONNIN-REQ", file_of("HONNIN-REQ", 4)), 409, "request-conflict");
    CHECK(body_of(sim.put("C-2", "HONNIN-REQ", body)).at("request_id").as_string() != id);

    check_problem(sim.put("C-3", "", body), 400, "bad-request");
    check_problem(sim.put("C-3", "HONNIN-RES", body), 400, "bad-request");
    const auto mismatch = sim.put("C-3", "SHOKAI-REQ", body);
    check_problem(mismatch, 400, "bad-request");
    CHECK(body_of(mismatch).at("title").as_string() ==
          "the file's header line is not H,SHOKAI-REQ,...");
    check_problem(sim.call("PUT", "/v1/requests/C-3", body, "HONNIN-REQ", "application/json"), 415,
                  "unsupported-media-type");
    check_problem(sim.put("C_3", "HONNIN-REQ", body), 400, "bad-request");
    check_problem(sim.call("GET", "/v1/requests/Q-unknown"), 404, "not-found");
}

TEST_CASE("a request goes accepted, processing, done, and its result is listed", "[sim][chukan]") {
    Sim sim(Settings{.processing_polls = 2});
    const auto r = sim.put("C-1", "SHOKAI-REQ", file_of("SHOKAI-REQ", 5));
    const std::string id(body_of(r).at("request_id").as_string());
    CHECK(sim.poll(id) == "accepted");
    CHECK(sim.poll(id) == "processing");
    CHECK(sim.poll(id) == "processing");
    const auto done = sim.call("GET", "/v1/requests/" + id);
    CHECK(body_of(done).at("status").as_string() == "done");
    const std::string result_id(body_of(done).at("result_id").as_string());
    CHECK(result_id.starts_with("R"));
    CHECK(done.record.at("result_id").as_string() == result_id);
    CHECK(done.record.at("request_status").as_string() == "done");
    // Later polls answer the same result; no second file.
    CHECK(body_of(sim.call("GET", "/v1/requests/" + id)).at("result_id").as_string() == result_id);
    CHECK(sim.listed_ids() == std::vector<std::string>{result_id});
    const auto list = body_of(sim.call("GET", "/v1/results"));
    CHECK(list.at("results").at(0).at("kind").as_string() == "SHOKAI-RES");
    CHECK(list.at("results").at(0).at("records").as_int64() == 5);
    const auto bytes = read_file(sim.dir / (result_id + ".csv"));
    CHECK(bytes.starts_with("H,SHOKAI-RES,"));
    CHECK(sekisho::inspect::inspect_chukan_file(bytes, "SHOKAI-RES", {}).verdict.accepted());
}

TEST_CASE("every Nth request ends in error, without a result", "[sim][chukan]") {
    Sim sim(Settings{.processing_polls = 0, .error_request_every = 2});
    std::vector<std::string> ends;
    for (int i = 1; i <= 4; ++i) {
        const auto r = sim.put("C-" + std::to_string(i), "HONNIN-REQ", file_of("HONNIN-REQ", 1));
        const std::string id(body_of(r).at("request_id").as_string());
        CHECK(sim.poll(id) == "accepted");
        ends.push_back(sim.poll(id));
    }
    CHECK(ends == std::vector<std::string>{"done", "error", "done", "error"});
    CHECK(sim.listed_ids().size() == 2);
}

TEST_CASE("faulted requests change no state", "[sim][chukan][faults]") {
    Settings s;
    s.processing_polls = 0;
    s.faults.every[static_cast<std::size_t>(Fault::error500)] = 2;
    Sim sim(s);
    const auto body = file_of("HONNIN-REQ", 1);
    CHECK(sim.put("C-1", "HONNIN-REQ", body).status == 201);
    check_problem(sim.put("C-2", "HONNIN-REQ", body), 500, "internal-error");  // not taken
    const auto r = sim.put("C-1", "HONNIN-REQ", body);
    CHECK(r.status == 200);
    const std::string id(body_of(r).at("request_id").as_string());
    CHECK(sim.poll(id) == "accepted");
    CHECK(sim.call("GET", "/v1/requests/" + id).fault == "error500");  // not counted as a poll
    CHECK(sim.poll(id) == "done");
    CHECK(sim.put("C-2", "HONNIN-REQ", body).status == 201);
}

TEST_CASE("made results pass the inspector for every kind and size", "[sim][chukan]") {
    const auto now = *parse_rfc3339("2026-11-24T23:30:00+09:00");
    for (const std::string kind : {"SHIKAKU-REG-REQ", "HONNIN-REQ", "SHOKAI-REQ"}) {
        const auto result_kind = result_kind_for(kind);
        for (const std::uint64_t records : {0, 1, 2, 3, 40, 1000, 1001}) {
            INFO(kind << " " << records);
            const auto bytes = make_result(result_kind, records, records + 7, now);
            const auto shape = shape_of(bytes);
            CHECK(shape.kind == result_kind);
            CHECK(shape.records == std::clamp<std::uint64_t>(records, 1, kMaxResultRecords));
            const auto inspected = sekisho::inspect::inspect_chukan_file(bytes, result_kind, {});
            CHECK(inspected.verdict.accepted());
            CHECK(inspected.records == static_cast<std::int64_t>(shape.records));
        }
    }
    CHECK(result_kind_for("HONNIN-RES").empty());
}

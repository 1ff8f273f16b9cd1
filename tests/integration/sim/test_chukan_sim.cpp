// sekisho-sim chukan as a real process over mutual TLS, driven with the gateway's own HTTPS
// client (adapters/http): results in pages, downloads with their digest, acks, requests
// from PUT to a result, faults on the wire, and the record.

#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <functional>
#include <set>

#include "adapters/http/connection.hpp"
#include "adapters/http/repr_digest.hpp"
#include "tests/integration/sim/sim_fixture.hpp"
#include "tests/sim/chukan_files/valid_chukan.hpp"
#include "tests/sim/common/codec.hpp"

using namespace sekisho::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
namespace http = sekisho::http;
namespace files = sekisho::sim::chukan_files;
using verb = boost::beast::http::verb;

namespace {

constexpr auto kWait = 10s;
constexpr http::Timeouts kTimeouts{.connect = 5000ms, .handshake = 5000ms, .io = 5000ms};
constexpr std::size_t kMaxBody = 1 << 20;
constexpr auto kCsv = "text/csv; charset=Shift_JIS";

// A valid file of `kind` with `records` records, as the generator makes them.
std::string chukan_file(std::string_view kind, int records, std::uint64_t seed = 1) {
    files::Rng rng(seed);
    return files::render(
        files::make_valid(rng, kind, sekisho::sim::filings::make_date(2026, 11, 24), records));
}

http::ClientTls client_tls(const SimProcess& f, const sekisho::sim::Issued* identity) {
    http::ClientTls tls;
    tls.ca_file = f.dir / "server-ca.pem";
    if (identity != nullptr) {
        const std::string key = identity->key_pem();
        tls.client_cert_chain_pem = identity->cert_pem();
        tls.client_key_pem =
            sekisho::config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end()));
    }
    return tls;
}

// The simulator on a results directory, and one client connection to it, opened again
// after a failure as the gateway's adapter does.
struct RunningSim : SimProcess {
    std::filesystem::path results = dir / "results";
    std::shared_ptr<http::TlsClientContext> tls;

    explicit RunningSim(const std::vector<std::string>& extra = {},
                        const std::function<void(const std::filesystem::path&)>& fill = {}) {
        std::filesystem::create_directory(results);
        if (fill)
            fill(results);
        std::vector<std::string> args{"chukan", "--results", results.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        start(args);
        tls = http::TlsClientContext::create(client_tls(*this, &client));
    }

    asio::io_context io;  // the connection lives on it from one call to the next
    std::unique_ptr<http::Connection> connection;

    template <typename F>
    auto run(F coroutine) {
        auto result = asio::co_spawn(io, std::move(coroutine), asio::use_future);
        io.restart();
        io.run();
        return result.get();
    }

    // One request; a transport failure throws http::TransportError.
    http::Response call(verb method, const std::string& target, std::string body = "",
                        http::HeaderList headers = {}) {
        return run([&]() -> asio::awaitable<http::Response> {
            if (!connection || !connection->is_open())
                connection = co_await http::Connection::open(
                    http::Endpoint::parse("https://127.0.0.1:" + port), tls, kTimeouts);
            const std::string type = body.empty() ? "" : kCsv;
            co_return co_await connection->request(method, target, std::move(body), type, kMaxBody,
                                                   std::move(headers));
        });
    }

    json::object call_json(verb method, const std::string& target, unsigned status) {
        const auto r = call(method, target);
        INFO(r.body);
        REQUIRE(r.status == status);
        return json::parse(r.body).as_object();
    }

    http::Response put(const std::string& client_request_id, const std::string& kind,
                       const std::string& bytes) {
        return call(verb::put, "/v1/requests/" + client_request_id, bytes,
                    {{"X-Request-Kind", kind}});
    }

    std::string poll(const std::string& request_id) {
        const auto o = call_json(verb::get, "/v1/requests/" + request_id, 200);
        return std::string(o.at("status").as_string());
    }

    // Stops with SIGTERM, which must end it with 0.
    void stop() {
        child->signal(SIGTERM);
        CHECK(child->wait(kWait) == 0);
    }
};

// `n` valid result files R-000 … named by number, kinds in turn.
void fill_results(const std::filesystem::path& dir, int n) {
    constexpr std::array<std::string_view, 3> kKinds{"SHIKAKU-REG-RES", "HONNIN-RES", "SHOKAI-RES"};
    for (int i = 0; i < n; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "R-%03d.csv", i);
        write_file(dir / name, chukan_file(kKinds[static_cast<std::size_t>(i) % 3], 3 + i % 4, i));
    }
}

std::string digest_of(const http::Response& r) {
    const auto d = http::parse_repr_digest_sha256(r.headers["Repr-Digest"]);
    return std::string(d.begin(), d.end());
}

void check_problem(const http::Response& r, unsigned status, const std::string& type) {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.headers["Content-Type"] == "application/problem+json");
    CHECK(json::parse(r.body).at("type").as_string() == "https://sekisho.example/problems/" + type);
}

}  // namespace

TEST_CASE("results in pages, downloaded with their digest, acked once for all",
          "[sim][chukan][integration]") {
    RunningSim sim({}, [](const auto& dir) { fill_results(dir, 120); });
    std::vector<json::object> listed;
    for (int offset = 0; offset < 150; offset += 50) {
        const auto page =
            sim.call_json(verb::get, "/v1/results?limit=50&offset=" + std::to_string(offset), 200);
        CHECK(page.at("total").as_int64() == 120);
        for (const auto& r : page.at("results").as_array())
            listed.push_back(r.as_object());
    }
    REQUIRE(listed.size() == 120);
    CHECK(listed.front().at("result_id").as_string() == "R-000");
    CHECK(listed.back().at("result_id").as_string() == "R-119");
    std::set<std::string> ids;
    for (const auto& r : listed)
        ids.emplace(r.at("result_id").as_string());
    CHECK(ids.size() == 120);
    const auto& entry = listed[1];
    CHECK(entry.at("kind").as_string() == "HONNIN-RES");
    CHECK(entry.at("records").as_int64() == 4);
    CHECK(entry.at("created_at").as_string().ends_with("+09:00"));
    check_problem(sim.call(verb::get, "/v1/results?limit=51"), 400, "bad-request");

    const auto got = sim.call(verb::get, "/v1/results/R-001");
    REQUIRE(got.status == 200);
    CHECK(got.body == read_file(sim.results / "R-001.csv"));
    CHECK(got.headers["Content-Type"] == kCsv);
    CHECK(got.headers["Content-Length"] == std::to_string(got.body.size()));
    CHECK(digest_of(got) == sekisho::sim::sha256(got.body));
    CHECK(entry.at("sha256").as_string() == sekisho::sim::hex(sekisho::sim::sha256(got.body)));
    CHECK(entry.at("size").as_int64() == static_cast<std::int64_t>(got.body.size()));

    CHECK(sim.call(verb::post, "/v1/results/R-001/ack").status == 204);
    CHECK(sim.call(verb::post, "/v1/results/R-001/ack").status == 204);
    const auto after = sim.call_json(verb::get, "/v1/results?limit=2", 200);
    CHECK(after.at("total").as_int64() == 119);
    CHECK(after.at("results").at(1).at("result_id").as_string() == "R-002");
    CHECK(sim.call(verb::get, "/v1/results/R-001").status == 200);  // acked, still there
    check_problem(sim.call(verb::post, "/v1/results/R-999/ack"), 404, "not-found");
    check_problem(sim.call(verb::get, "/v1/results/R-999"), 404, "not-found");
    sim.stop();
}

TEST_CASE("a request is taken once and ends in a listed result of the answering kind",
          "[sim][chukan][integration]") {
    RunningSim sim(
        {"--processing-polls", "2", "--error-request-every", "2", "--max-request", "4096"});
    const auto request = chukan_file("HONNIN-REQ", 7);
    const auto created = sim.put("C-1", "HONNIN-REQ", request);
    REQUIRE(created.status == 201);
    const std::string id(json::parse(created.body).at("request_id").as_string());
    const auto again = sim.put("C-1", "HONNIN-REQ", request);
    CHECK(again.status == 200);
    CHECK(json::parse(again.body).at("request_id").as_string() == id);
    check_problem(sim.put("C-1", "HONNIN-REQ", chukan_file("HONNIN-REQ", 8)), 409,
                  "request-conflict");
    const auto wrong = sim.put("C-9", "SHOKAI-REQ", request);
    check_problem(wrong, 400, "bad-request");
    CHECK(json::parse(wrong.body).at("title").as_string() ==
          "the file's header line is not H,SHOKAI-REQ,...");
    check_problem(sim.put("C-9", "NONE", request), 400, "bad-request");
    check_problem(sim.put("C-9", "HONNIN-REQ", chukan_file("HONNIN-REQ", 100)), 413,
                  "payload-too-large");

    CHECK(sim.poll(id) == "accepted");
    CHECK(sim.poll(id) == "processing");
    CHECK(sim.poll(id) == "processing");
    const auto done = sim.call_json(verb::get, "/v1/requests/" + id, 200);
    REQUIRE(done.at("status").as_string() == "done");
    const std::string result_id(done.at("result_id").as_string());

    const auto list = sim.call_json(verb::get, "/v1/results", 200);
    REQUIRE(list.at("total").as_int64() == 1);
    const auto& entry = list.at("results").at(0).as_object();
    CHECK(entry.at("result_id").as_string() == result_id);
    CHECK(entry.at("kind").as_string() == "HONNIN-RES");
    CHECK(entry.at("records").as_int64() == 7);
    const auto result = sim.call(verb::get, "/v1/results/" + result_id);
    REQUIRE(result.status == 200);
    CHECK(result.body.starts_with("H,HONNIN-RES,"));
    CHECK(result.body.ends_with("T,7\r\n"));
    CHECK(digest_of(result) == sekisho::sim::sha256(result.body));

    // The second request taken ends in error, without a result.
    const auto second = sim.put("C-2", "SHIKAKU-REG-REQ", chukan_file("SHIKAKU-REG-REQ", 3));
    REQUIRE(second.status == 201);
    const std::string second_id(json::parse(second.body).at("request_id").as_string());
    std::vector<std::string> states;
    for (int i = 0; i < 4; ++i)
        states.push_back(sim.poll(second_id));
    CHECK(states == std::vector<std::string>{"accepted", "processing", "processing", "error"});
    CHECK(!sim.call_json(verb::get, "/v1/requests/" + second_id, 200).contains("result_id"));
    CHECK(sim.call_json(verb::get, "/v1/results", 200).at("total").as_int64() == 1);
    check_problem(sim.call(verb::get, "/v1/requests/Q-none"), 404, "not-found");
    sim.stop();
}

TEST_CASE("faults reach the wire and the retry succeeds", "[sim][chukan][integration]") {
    const auto one = [](const auto& dir) { fill_results(dir, 1); };
    SECTION("reset") {
        RunningSim sim({"--reset-every", "2"}, one);
        CHECK(sim.call(verb::get, "/v1/results").status == 200);
        CHECK_THROWS_AS(sim.call(verb::get, "/v1/results"), http::TransportError);
        CHECK(sim.call(verb::get, "/v1/results").status == 200);
        CHECK(sim.records().at(1).at("fault").as_string() == "reset");
        CHECK(sim.records().at(1).at("status").as_int64() == 0);
    }
    SECTION("truncate") {
        RunningSim sim({"--truncate-every", "1"}, one);
        CHECK(sim.call(verb::get, "/v1/results").status == 200);  // not a download
        CHECK_THROWS_AS(sim.call(verb::get, "/v1/results/R-000"), http::TransportError);
        const auto whole = sim.call(verb::get, "/v1/results/R-000");
        CHECK(whole.body == read_file(sim.results / "R-000.csv"));
        CHECK(sim.records().at(1).at("fault").as_string() == "truncate");
    }
    SECTION("wrong digest") {
        RunningSim sim({"--wrong-digest-every", "1"}, one);
        const auto bad = sim.call(verb::get, "/v1/results/R-000");
        CHECK(bad.status == 200);
        CHECK(digest_of(bad) != sekisho::sim::sha256(bad.body));
        const auto good = sim.call(verb::get, "/v1/results/R-000");
        CHECK(digest_of(good) == sekisho::sim::sha256(good.body));
    }
    SECTION("throttle, and no state changes under a fault") {
        RunningSim sim({"--throttle-every", "1", "--retry-after", "7"}, one);
        const auto throttled = sim.call(verb::post, "/v1/results/R-000/ack");
        check_problem(throttled, 429, "too-many-requests");
        CHECK(throttled.headers["Retry-After"] == "7");
        const auto listed = sim.call_json(verb::get, "/v1/results", 200);  // the retry's turn
        CHECK(listed.at("total").as_int64() == 1);                         // not acked
        CHECK(sim.call(verb::post, "/v1/results/R-000/ack").status == 429);
    }
}

TEST_CASE("a client without a certificate from the client CA is refused, nothing recorded",
          "[sim][chukan][integration]") {
    RunningSim sim;
    const auto refused = [&](const sekisho::sim::Issued* identity) {
        auto tls = http::TlsClientContext::create(client_tls(sim, identity));
        auto attempt = [&]() -> asio::awaitable<void> {
            auto c = co_await http::Connection::open(
                http::Endpoint::parse("https://127.0.0.1:" + sim.port), tls, kTimeouts);
            co_await c->request(verb::get, "/v1/results", "", "", kMaxBody);
        };
        CHECK_THROWS_AS(sim.run(attempt), http::TransportError);
    };
    refused(nullptr);
    const auto other_ca = sekisho::sim::make_cert(
        {.common_name = "Other CA", .ca = true, .key = sekisho::sim::KeyType::p256}, nullptr);
    const auto stranger = sekisho::sim::make_cert(
        {.common_name = "stranger", .client_auth = true, .key = sekisho::sim::KeyType::p256},
        &other_ca);
    refused(&stranger);
    CHECK(sim.records().empty());
    CHECK(sim.call(verb::get, "/v1/results").status == 200);
    sim.stop();
}

TEST_CASE("the record has a line per request with what it concerned",
          "[sim][chukan][integration]") {
    RunningSim sim({"--processing-polls", "0"});
    const auto put = sim.put("C-1", "SHOKAI-REQ", chukan_file("SHOKAI-REQ", 3));
    const std::string id(json::parse(put.body).at("request_id").as_string());
    sim.poll(id);
    const auto done = sim.call_json(verb::get, "/v1/requests/" + id, 200);
    const std::string result_id(done.at("result_id").as_string());
    sim.call(verb::get, "/v1/results/" + result_id);

    const auto records = sim.records();
    REQUIRE(records.size() == 4);
    for (const auto& r : records) {
        CHECK(r.at("client_cert_sha256").as_string() == der_sha256(sim.client));
        CHECK(r.at("user_agent").as_string().starts_with("sekisho/"));
        CHECK(r.at("request_id").as_string().size() == 36);
        CHECK(r.at("t").as_string().ends_with("Z"));
        CHECK(!r.contains("fault"));
    }
    CHECK(records[0].at("method").as_string() == "PUT");
    CHECK(records[0].at("target").as_string() == "/v1/requests/C-1");
    CHECK(records[0].at("status").as_int64() == 201);
    CHECK(records[0].at("client_request_id").as_string() == "C-1");
    CHECK(records[0].at("request_kind").as_string() == "SHOKAI-REQ");
    CHECK(records[0].at("issued_request_id").as_string() == id);
    CHECK(records[1].at("request_status").as_string() == "accepted");
    CHECK(records[2].at("request_status").as_string() == "done");
    CHECK(records[2].at("result_id").as_string() == result_id);
    CHECK(records[3].at("target").as_string() == "/v1/results/" + result_id);
    CHECK(records[3].at("result_id").as_string() == result_id);
    sim.stop();
}

TEST_CASE("the listening socket bound to a device, usage errors and start failures",
          "[sim][chukan][integration]") {
    RunningSim bound({"--bind-device", "lo"});
    CHECK(bound.call(verb::get, "/v1/results").status == 200);
    bound.stop();

    SimProcess f;
    std::filesystem::create_directory(f.dir / "results");
    const std::vector<std::string> base{program("sekisho-sim"),
                                        "chukan",
                                        "--listen",
                                        "127.0.0.1:0",
                                        "--tls-cert",
                                        (f.dir / "server.pem").string(),
                                        "--tls-key",
                                        (f.dir / "server.key").string(),
                                        "--client-ca",
                                        (f.dir / "client-ca.pem").string(),
                                        "--results"};
    auto with = [&](std::vector<std::string> tail) {
        auto argv = base;
        argv.insert(argv.end(), tail.begin(), tail.end());
        return run(argv);
    };
    const auto no_device = with({(f.dir / "results").string(), "--bind-device", "nosuchdev0"});
    CHECK(no_device.exit_code == 1);
    CHECK_THAT(no_device.err, Catch::Contains("cannot bind the listening socket to device"));
    CHECK(with({(f.dir / "missing").string()}).exit_code == 1);
    CHECK(with({(f.dir / "results").string(), "--max-request", "x"}).exit_code == 2);
    CHECK(run({program("sekisho-sim"), "chukan", "--listen", "127.0.0.1:0"}).exit_code == 2);
    const auto help = run({program("sekisho-sim"), "chukan", "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("--error-request-every"));
}

// sekisho-sim mynaportal as a real process over mutual TLS, driven with curl.

#include <signal.h>
#include <strings.h>

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/sim/sim_fixture.hpp"
#include "tests/sim/common/codec.hpp"

using namespace sekisho::test;
using namespace sekisho::sim;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr auto kWait = 10s;
constexpr auto kCurl = "/usr/bin/curl";

std::string uuid() {
    static std::mt19937_64 rng{std::random_device{}()};
    auto id = hex(std::to_string(rng()) + std::to_string(rng())).substr(0, 32);
    for (const std::size_t at : {8, 13, 18, 23})
        id.insert(at, "-");
    return id;
}

struct Answer {
    int curl_exit = -1;
    int status = 0;  // 0: no HTTP answer
    std::string body;
    std::string headers;
    std::string request_id;

    json::object json() const { return boost::json::parse(body).as_object(); }
};

// A PKI, a filings directory with two filings, and the simulator running on them.
struct RunningSim : SimProcess {
    std::filesystem::path filings = dir / "filings";
    std::string user_agent = " sekisho/test";  // empty: curl sends none

    explicit RunningSim(const std::vector<std::string>& extra = {}) {
        std::filesystem::create_directory(filings);
        write_file(filings / "F1.zip", "PK\x03\x04 first filing");
        write_file(filings / "F1.json",
                   R"({"arrive_id":"202611240000001","submitted_at":"2026-11-24T08:00:00+09:00",)"
                   R"("auth_method":"certificate","description":"ignored"})");
        write_file(filings / "F2.zip", "PK\x03\x04 second filing");
        write_file(filings / "F2.json",
                   R"({"arrive_id":"202611240000002","submitted_at":"2026-11-24T09:00:00+09:00"})");
        std::vector<std::string> args{"mynaportal", "--filings", filings.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        start(args);
    }

    std::string url(const std::string& path) const { return "https://127.0.0.1:" + port + path; }

    // curl with the CA; `tls` gives the client certificate options (or others).
    Answer curl(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& token = "", std::vector<std::string> tls = {}) {
        if (tls.empty())
            tls = {"--cert", (dir / "client.pem").string(), "--key", (dir / "client.key").string()};
        Answer a;
        a.request_id = uuid();
        std::vector<std::string> argv{kCurl, "-sS",      "--max-time",
                                      "20",  "--cacert", (dir / "server-ca.pem").string()};
        argv.insert(argv.end(), tls.begin(), tls.end());
        argv.insert(argv.end(),
                    {"-H", "User-Agent:" + user_agent, "-H", "X-Request-Id: " + a.request_id});
        if (!token.empty())
            argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
        if (!body.empty())
            argv.insert(argv.end(),
                        {"-H", "Content-Type: application/json", "--data-binary", body});
        const auto out = dir / "body", headers = dir / "headers";
        std::filesystem::remove(out);
        std::filesystem::remove(headers);
        argv.insert(argv.end(), {"-X", method, "-o", out.string(), "-D", headers.string(), "-w",
                                 "%{http_code}", url(path)});
        const auto done = run(argv);
        a.curl_exit = done.exit_code;
        a.status = std::atoi(done.out.c_str());
        a.body = std::filesystem::exists(out) ? read_file(out) : "";
        a.headers = std::filesystem::exists(headers) ? read_file(headers) : "";
        return a;
    }

    std::string login() {
        const auto a = curl("POST", "/v1/auth/login",
                            R"({"user_id":"K1234567","password":"sekisho-sim-password"})");
        REQUIRE(a.status == 200);
        return std::string(a.json().at("access_token").as_string());
    }
};

// The value of a response header (case-insensitive name), empty when absent.
std::string header(const std::string& headers, const std::string& name) {
    std::istringstream in(headers);
    for (std::string line; std::getline(in, line);) {
        if (line.size() > name.size() &&
            strncasecmp(line.c_str(), name.c_str(), name.size()) == 0 && line[name.size()] == ':') {
            auto v = line.substr(name.size() + 1);
            v.erase(0, v.find_first_not_of(' '));
            v.erase(v.find_last_not_of("\r") + 1);
            return v;
        }
    }
    return {};
}

}  // namespace

TEST_CASE("the Mynaportal simulator requires a client certificate from its CA",
          "[sim][mynaportal][integration]") {
    RunningSim sim;
    const auto none = sim.curl("POST", "/v1/auth/login", "{}", "", {"--no-progress-meter"});
    CHECK(none.curl_exit != 0);
    CHECK(none.status == 0);
    const auto stranger_ca = make_cert({.common_name = "Other CA", .ca = true}, nullptr);
    const auto stranger = make_cert({.common_name = "stranger", .client_auth = true}, &stranger_ca);
    stranger.write(sim.dir / "stranger.pem", sim.dir / "stranger.key");
    const auto other = sim.curl("POST", "/v1/auth/login", "{}", "",
                                {"--cert", (sim.dir / "stranger.pem").string(), "--key",
                                 (sim.dir / "stranger.key").string()});
    CHECK(other.curl_exit != 0);
    CHECK(other.status == 0);
    const auto old_tls = sim.curl("POST", "/v1/auth/login", "{}", "",
                                  {"--cert", (sim.dir / "client.pem").string(), "--key",
                                   (sim.dir / "client.key").string(), "--tls-max", "1.1"});
    CHECK(old_tls.status == 0);
    CHECK(sim.records().empty());
    const auto tls12 = sim.curl("POST", "/v1/auth/login", "{}", "",
                                {"--cert", (sim.dir / "client.pem").string(), "--key",
                                 (sim.dir / "client.key").string(), "--tls-max", "1.2"});
    CHECK(tls12.status == 400);
    sim.child->signal(SIGTERM);
    CHECK(sim.child->wait(kWait) == 0);
}

TEST_CASE("login, list, download with digest, downloaded, notice and logout over mTLS",
          "[sim][mynaportal][integration]") {
    RunningSim sim;
    const auto token = sim.login();
    const auto list = sim.curl("GET", "/v1/filings?status=arrived&limit=50&offset=0", "", token);
    REQUIRE(list.status == 200);
    const auto listing = list.json();
    REQUIRE(listing.at("total").as_int64() == 2);
    const auto& first = listing.at("filings").as_array().at(0).as_object();
    const std::string id(first.at("arrive_id").as_string());
    CHECK(id == "202611240000001");
    CHECK(!first.contains("description"));

    const auto pkg = sim.curl("GET", "/v1/filings/" + id + "/package", "", token);
    REQUIRE(pkg.status == 200);
    CHECK(pkg.body == std::string("PK\x03\x04 first filing"));
    CHECK(header(pkg.headers, "Content-Type") == "application/zip");
    CHECK(header(pkg.headers, "Content-Length") == std::to_string(pkg.body.size()));
    CHECK(first.at("size").as_int64() == static_cast<std::int64_t>(pkg.body.size()));
    CHECK(first.at("sha256").as_string() == hex(sha256(pkg.body)));
    CHECK(header(pkg.headers, "Repr-Digest") == "sha-256=:" + base64(sha256(pkg.body)) + ":");

    CHECK(sim.curl("POST", "/v1/filings/" + id + "/downloaded", "", token).status == 204);
    const auto after = sim.curl("GET", "/v1/filings?status=arrived&limit=1&offset=0", "", token);
    CHECK(after.json().at("total").as_int64() == 1);
    const auto notice = sim.curl("POST", "/v1/filings/" + id + "/notices",
                                 R"({"kind":"received","message":"受付しました"})", token);
    REQUIRE(notice.status == 201);
    const auto leak = sim.curl("POST", "/v1/filings/" + id + "/notices",
                               R"({"kind":"received","message":"123456789018"})", token);
    CHECK(leak.status == 400);
    CHECK(header(leak.headers, "Content-Type") == "application/problem+json");
    CHECK(sim.curl("POST", "/v1/auth/logout", "", token).status == 204);
    CHECK(sim.curl("GET", "/v1/filings?status=arrived", "", token).status == 401);

    const auto records = sim.records();
    REQUIRE(records.size() == 9);
    for (const auto& r : records) {
        CHECK(r.at("client_cert_sha256").as_string() == der_sha256(sim.client));
        CHECK(r.at("user_agent").as_string() == "sekisho/test");
        CHECK(r.at("request_id").as_string().size() == 36);
    }
    CHECK(records[0].at("target").as_string() == "/v1/auth/login");
    CHECK(records[0].at("status").as_int64() == 200);
    CHECK(records[2].at("arrive_id").as_string() == id);
    CHECK(records[2].at("request_id").as_string() == pkg.request_id);
    CHECK(records[5].at("notice").at("kind").as_string() == "received");
    CHECK(records[5].at("notice").at("notice_id").as_string() ==
          notice.json().at("notice_id").as_string());
    CHECK(records[6].at("status").as_int64() == 400);
    sim.child->signal(SIGTERM);
    CHECK(sim.child->wait(kWait) == 0);
}

TEST_CASE("requests without User-Agent or X-Request-Id are refused and recorded",
          "[sim][mynaportal][integration]") {
    RunningSim sim;
    sim.user_agent = "";
    const auto a = sim.curl("POST", "/v1/auth/login", "{}");
    CHECK(a.status == 400);
    const auto records = sim.records();
    REQUIRE(records.size() == 1);
    CHECK(records[0].at("status").as_int64() == 400);
    CHECK(records[0].at("user_agent").as_string() == "");
}

TEST_CASE("injected faults reach the wire: truncated bodies, resets, throttling",
          "[sim][mynaportal][integration]") {
    SECTION("truncate") {
        RunningSim sim({"--truncate-every", "1"});
        const auto token = sim.login();
        const auto cut = sim.curl("GET", "/v1/filings/202611240000002/package", "", token);
        CHECK(cut.curl_exit != 0);
        CHECK(cut.body.size() < std::string("PK\x03\x04 second filing").size());
        const auto whole = sim.curl("GET", "/v1/filings/202611240000002/package", "", token);
        CHECK(whole.curl_exit == 0);
        CHECK(whole.body == std::string("PK\x03\x04 second filing"));
        CHECK(sim.records().at(1).at("fault").as_string() == "truncate");
    }
    SECTION("reset") {
        RunningSim sim({"--reset-every", "2"});
        sim.login();
        const auto reset = sim.curl("GET", "/v1/filings?status=arrived", "", "x");
        CHECK(reset.curl_exit != 0);
        CHECK(reset.status == 0);
        CHECK(sim.records().at(1).at("fault").as_string() == "reset");
        CHECK(sim.records().at(1).at("status").as_int64() == 0);
    }
    SECTION("throttle") {
        RunningSim sim({"--throttle-every", "1", "--retry-after", "7"});
        const auto a = sim.curl("POST", "/v1/auth/login", "{}");
        CHECK(a.status == 429);
        CHECK(header(a.headers, "Retry-After") == "7");
    }
}

TEST_CASE("the simulator serves several connections at once", "[sim][mynaportal][integration]") {
    RunningSim sim({"--slow-ms", "800"});
    std::vector<std::string> argv{kCurl,        "-sS",
                                  "--parallel", "--parallel-immediate",
                                  "--cacert",   (sim.dir / "server-ca.pem").string(),
                                  "--cert",     (sim.dir / "client.pem").string(),
                                  "--key",      (sim.dir / "client.key").string(),
                                  "-H",         "User-Agent: sekisho/test",
                                  "-w",         "%{http_code}\n",
                                  "-H",         "X-Request-Id: " + uuid()};
    for (int i = 0; i < 4; ++i) {
        argv.insert(argv.end(), {"-o", "/dev/null", sim.url("/v1/filings?status=arrived")});
    }
    const auto start = std::chrono::steady_clock::now();
    const auto done = run(argv);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(done.exit_code == 0);
    CHECK(done.out == "401\n401\n401\n401\n");
    // One after the other they would take 3.2 s.
    CHECK(took < 2500ms);
}

TEST_CASE("the simulator exits 2 on usage errors", "[sim][mynaportal][integration]") {
    CHECK(run({program("sekisho-sim"), "mynaportal", "--listen", "127.0.0.1:0"}).exit_code == 2);
    const auto help = run({program("sekisho-sim"), "mynaportal", "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("--expire-tokens-every"));
}

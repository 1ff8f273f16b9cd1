// sekishod with the 中間サーバー source, end to end over real mutual TLS against
// `sekisho-sim chukan`, with a real clamd and a real core inbox behind the one-way link.
// The route check runs for real: `interface:lo` is the protected path on loopback, any
// other interface is not (the IPsec tunnel itself: test_ipsec_tunnel.cpp).

#include <signal.h>

#include "tests/integration/chukan/chukan_daemon_fixture.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

namespace {

// Result ids the simulator served with a 2xx answer, counted per ack.
std::map<std::string, int> acks(const test::ChukanSim& sim) {
    std::map<std::string, int> out;
    for (const auto& r : sim.calls("POST", "/ack")) {
        if (r.at("status").to_number<int>() == 204)
            ++out[std::string(r.at("result_id").as_string())];
    }
    return out;
}

}  // namespace

TEST_CASE("result files reach the core inbox inspected, scanned and flagged", "[chukan][daemon]") {
    test::ChukanDaemonFixture f;
    f.link.start_receiver();
    const auto valid = f.sim.add_results(2);
    const auto invalid = f.sim.add_results(0, true, 2);
    REQUIRE(valid.size() == 6);
    REQUIRE(invalid.size() >= 6);
    f.sim.start();
    f.write_config("interface:lo",
                   "[release]\nauto = [{ source = \"chukan\", forms = [\"SHIKAKU-REG-RES\", "
                   "\"HONNIN-RES\", \"SHOKAI-RES\"] }]\n");
    f.start_daemon();
    const auto total = static_cast<double>(valid.size() + invalid.size());
    const auto settled = [&] {
        return f.items_in("sent") + f.items_in("staged") + f.items_in("rejected") == total &&
               f.items_in("released") == 0;
    };
    if (!test::DaemonRun::wait(120s, settled))
        FAIL("not every result file settled\n" << f.logs());
    CHECK(f.items_in("rejected") == static_cast<double>(invalid.size()));
    // Every file acknowledged, each taken once.
    const auto acked = acks(f.sim);
    for (const auto& id : valid)
        CHECK(acked.count(id) == 1);
    for (const auto& id : invalid)
        CHECK(acked.count(id) == 1);
    // Flagged 本人確認 results wait for a person; the rest went out by the policy.
    const auto staged = static_cast<std::size_t>(f.items_in("staged"));
    CHECK(staged >= 1);
    const auto released = f.ctl({"release", "ALL"});
    INFO(released.out << released.err);
    CHECK(released.exit_code == 0);
    const auto all_sent = [&] { return f.delivered().size() == valid.size(); };
    if (!test::DaemonRun::wait(60s, all_sent))
        FAIL("not every valid result reached the core inbox\n" << f.logs());
    std::size_t flagged = 0;
    for (const auto& [id, m] : f.delivered()) {
        CHECK(m.at("source").as_string() == "chukan");
        CHECK(valid.count(std::string(m.at("external_id").as_string())) == 1);
        CHECK(std::filesystem::exists(f.link.inbox() / (id + ".csv")));
        const auto& flags = m.at("flags").as_array();
        if (!flags.empty()) {
            ++flagged;
            CHECK(m.at("kind").as_string() == "HONNIN-RES");
            CHECK(std::string(flags.front().as_string()).starts_with("honnin-multiple-matches:"));
            CHECK(m.at("release").at("released_by").as_string() == test::current_user());
        }
    }
    CHECK(flagged == staged);
    f.stop_daemon();
    // A restart takes nothing twice.
    f.start_daemon();
    CHECK(f.wait_for_metric("sekisho_queue_items", 30s));
    std::this_thread::sleep_for(3s);
    CHECK(f.delivered().size() == valid.size());
    for (const auto& [id, n] : acks(f.sim))
        CHECK(n == 1);
}

TEST_CASE("an unprotected path: no connection at all, said in the log and the status",
          "[chukan][daemon][ipsec]") {
    test::ChukanDaemonFixture f;
    f.link.start_receiver();
    const auto valid = f.sim.add_results(1);
    f.sim.start();
    // Loopback traffic goes out through lo, not through this (absent) tunnel device.
    f.write_config("interface:ipsec9");
    f.start_daemon();
    f.wait_until_ready();
    const auto refused = [&] {
        return test::read_file(f.daemon_log()).find("IPsec path is not protected") !=
               std::string::npos;
    };
    if (!test::DaemonRun::wait(30s, refused))
        FAIL("no refusal logged\n" << f.logs());
    std::this_thread::sleep_for(2s);
    CHECK(f.sim.records().empty());  // not even a TLS handshake reached the server
    const auto status = f.ctl({"--json", "status"});
    INFO(status.out << status.err);
    CHECK(status.out.find("not connecting") != std::string::npos);
    CHECK(status.out.find("ipsec9") != std::string::npos);
    // Pointed at the protected path, a reload lets it through.
    f.write_config("interface:lo");
    f.sekishod->signal(SIGHUP);
    const auto taken = [&] { return acks(f.sim).size() == valid.size(); };
    if (!test::DaemonRun::wait(60s, taken))
        FAIL("results were not taken after the reload\n" << f.logs());
    const auto later = f.ctl({"--json", "status"});
    CHECK(later.out.find("not connecting") == std::string::npos);
    CHECK(test::read_file(f.daemon_log()).find("protected again") != std::string::npos);
}

TEST_CASE("ipsec_check = off warns at every start", "[chukan][daemon][ipsec]") {
    test::ChukanDaemonFixture f;
    f.link.start_receiver();
    f.sim.start();
    f.write_config("off");
    for (int run = 0; run < 2; ++run) {
        f.start_daemon();
        const auto warned = [&] {
            return test::read_file(f.daemon_log()).find("ipsec_check = \"off\"") !=
                   std::string::npos;
        };
        if (!test::DaemonRun::wait(20s, warned))
            FAIL("no warning for ipsec_check off\n" << f.logs());
        f.stop_daemon();
    }
}

TEST_CASE(
    "a submitted request goes out once, even across a crash, and its result comes back "
    "linked",
    "[chukan][daemon][submit]") {
    test::ChukanDaemonFixture f;
    f.link.start_receiver();
    f.sim.start({"--processing-polls", "1"});
    f.write_config("interface:lo");
    f.start_daemon();
    f.wait_until_ready();
    const auto request = f.sim.dir / "honnin-request.csv";
    f.sim.make_request("HONNIN-REQ", request, 7);
    // Not a request kind, and no file: usage errors before anything is stored.
    const auto wrong_kind = f.ctl({"submit", "--kind", "HONNIN-RES", request.string()});
    INFO(wrong_kind.err);
    CHECK(wrong_kind.exit_code == 2);
    CHECK(f.ctl({"submit", "--kind", "HONNIN-REQ", (f.sim.dir / "none.csv").string()}).exit_code ==
          1);
    const auto submitted = f.ctl({"--json", "submit", "--kind", "HONNIN-REQ", request.string()});
    INFO(submitted.out << submitted.err << f.logs());
    REQUIRE(submitted.exit_code == 0);
    const auto first = boost::json::parse(submitted.out.substr(0, submitted.out.find('\n')));
    const std::string id(first.at("id").as_string());
    const std::string client_request_id(first.at("client_request_id").as_string());
    CHECK(submitted.out.find("\"state\":\"staged\"") != std::string::npos);
    // Nothing goes out before a release.
    std::this_thread::sleep_for(2s);
    CHECK(f.sim.calls("PUT").empty());
    CHECK(f.ctl({"release", id}).exit_code == 0);
    // The daemon is killed as soon as the service has the file: whether or not it recorded
    // the upload, the next start must not make a second request of it.
    const auto put = [&] { return !f.sim.calls("PUT").empty(); };
    REQUIRE(test::DaemonRun::wait(30s, put));
    f.sekishod->signal(SIGKILL);
    f.sekishod->wait(std::chrono::seconds(10));
    f.start_daemon();
    const auto linked = [&] {
        const auto shown = f.ctl({"--json", "show", id});
        return shown.out.find("\"result_item\"") != std::string::npos;
    };
    if (!test::DaemonRun::wait(90s, linked))
        FAIL("the request's result was not linked\n" << f.logs());
    std::set<std::string> issued;
    for (const auto& r : f.sim.calls("PUT")) {
        CHECK(r.at("target").as_string() == "/v1/requests/" + client_request_id);
        CHECK(r.at("request_kind").as_string() == "HONNIN-REQ");
        if (r.contains("issued_request_id"))
            issued.insert(std::string(r.at("issued_request_id").as_string()));
    }
    CHECK(issued.size() == 1);
    // At most the PUT before the crash and one repeat after it; and the item went out
    // (a repeated PUT answered with another request, or refused, would hold it).
    CHECK(f.sim.calls("PUT").size() <= 2);
    const auto shown = boost::json::parse(f.ctl({"--json", "show", id}).out).as_object();
    CHECK(shown.at("state").as_string() == "sent");
    const auto& upload = shown.at("upload").as_object();
    CHECK(upload.at("status").as_string() == "done");
    CHECK(issued.count(std::string(upload.at("request_id").as_string())) == 1);
    const std::string result_item(upload.at("result_item").as_string());
    // The result is inspected like any other; once released it reaches the core with the
    // request it answers.
    const auto staged = [&] {
        return f.ctl({"--json", "show", result_item}).out.find("\"state\":\"staged\"") !=
               std::string::npos;
    };
    if (!test::DaemonRun::wait(60s, staged))
        FAIL("the result was not staged\n" << f.logs());
    CHECK(f.ctl({"release", result_item}).exit_code == 0);
    const auto delivered = [&] { return f.delivered().count(result_item) == 1; };
    if (!test::DaemonRun::wait(60s, delivered))
        FAIL("the result did not reach the core inbox\n" << f.logs());
    const auto m = f.delivered().at(result_item);
    CHECK(m.at("kind").as_string() == "HONNIN-RES");
    CHECK(m.at("request").at("id").as_string() == id);
    CHECK(m.at("request").at("client_request_id").as_string() == client_request_id);
    // The request file itself never went to the core system.
    CHECK(f.delivered().count(id) == 0);
    CHECK(f.delivered().size() == 1);
}

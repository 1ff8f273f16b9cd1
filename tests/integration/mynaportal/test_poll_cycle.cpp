// The Mynaportal source against the simulator over real mutual TLS.

#include <catch2/catch.hpp>

#include "adapters/mynaportal/source.hpp"
#include "common/time_format.hpp"
#include "tests/integration/mynaportal/sim_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

// Cycles until nothing is left to take and no notice is due (bounded).
std::vector<mynaportal::CycleReport> poll_until_done(test::QueueFixture& qf, test::SimFixture& sim,
                                                     int max_cycles = 30) {
    std::vector<mynaportal::CycleReport> reports;
    const auto settings = sim.settings();
    for (int i = 0; i < max_cycles; ++i) {
        auto r = test::poll(*qf.q, settings);
        reports.push_back(r);
        if (r.ok() && r.listed == 0 && r.failed == 0 && qf.q->pending_notices() == 0)
            break;
        if (r.retry_after)
            std::this_thread::sleep_for(*r.retry_after);
        // A notice the service failed waits for its retry time (50 ms, doubling).
        if (qf.q->pending_notices() > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return reports;
}

void check_each_once(const std::map<std::string, int>& counts, const std::vector<std::string>& ids,
                     const char* what) {
    INFO(what);
    CHECK(counts.size() == ids.size());
    for (const auto& id : ids) {
        INFO(id);
        const auto it = counts.find(id);
        CHECK((it != counts.end() && it->second == 1));
    }
}

}  // namespace

TEST_CASE("a poll cycle takes 120 filings across 3 pages, each once", "[mynaportal][cycle]") {
    test::SimFixture sim;
    const auto ids = sim.add_filings(120);
    sim.start();
    test::QueueFixture qf;
    const auto r = test::poll(*qf.q, sim.settings());
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(r.listed == 120);
    CHECK(r.taken == 120);
    CHECK(r.failed == 0);
    CHECK(r.notices_sent == 120);
    CHECK(qf.q->counts()[State::fetched] == 120);
    for (const auto& id : ids) {
        const auto item = qf.q->find_external("mynaportal", id);
        REQUIRE(item);
        CHECK(item->source_confirmed);
        CHECK(qf.payload(item->id) == test::read_file(sim.filings / (id + ".zip")));
        // The office came with the listing and is kept sealed with the item.
        CHECK_THAT(std::string(qf.q->read_personal(item->id).view()), Catch::Contains("ｱｲｳ"));
    }
    check_each_once(sim.count("/downloaded"), ids, "downloaded");
    check_each_once(sim.count("/notices", "received"), ids, "received notices");
    // Three list pages (50, 50, 20).
    int lists = 0;
    for (const auto& rec : sim.recorded())
        lists += std::string(rec.at("target").as_string()).starts_with("/v1/filings?");
    CHECK(lists == 3);
    // Nothing is left: the next cycle lists nothing and takes nothing.
    const auto again = test::poll(*qf.q, sim.settings());
    CHECK(again.ok());
    CHECK(again.listed == 0);
    CHECK(again.taken == 0);
    CHECK(qf.q->verify_audit().ok());
}

TEST_CASE("every fault mode is recovered from without loss or duplication",
          "[mynaportal][faults]") {
    const std::vector<std::vector<std::string>> faults{
        {"--slow-ms", "20"},          {"--truncate-every", "3"},     {"--wrong-digest-every", "3"},
        {"--reset-every", "5"},       {"--error500-every", "4"},     {"--throttle-every", "4"},
        {"--unavailable-every", "5"}, {"--expire-tokens-every", "3"}};
    for (const auto& fault : faults) {
        DYNAMIC_SECTION(fault[0]) {
            test::SimFixture sim;
            const auto ids = sim.add_filings(12);
            sim.start(fault);
            test::QueueFixture qf;
            const auto reports = poll_until_done(qf, sim);
            CHECK(qf.q->counts()[State::fetched] == 12);
            for (const auto& id : ids) {
                const auto item = qf.q->find_external("mynaportal", id);
                REQUIRE(item);
                CHECK(qf.payload(item->id) == test::read_file(sim.filings / (id + ".zip")));
            }
            check_each_once(sim.count("/notices", "received"), ids, "received notices");
            CHECK(qf.q->pending_notices() == 0);
            CHECK(qf.q->verify_payloads() == 0);
        }
    }
}

TEST_CASE("accepted and returned notices reach the service once per item",
          "[mynaportal][notices]") {
    test::SimFixture sim;
    const auto ids = sim.add_filings(4);
    sim.start();
    test::QueueFixture qf;
    REQUIRE(test::poll(*qf.q, sim.settings()).ok());
    const auto first = qf.q->find_external("mynaportal", ids[0])->id;
    const auto second = qf.q->find_external("mynaportal", ids[1])->id;
    qf.q->transition(first, {State::inspecting});
    Change reject{State::rejected, "state", "reject"};
    reject.notice = NoticeRequest{"returned", "E-SIG-INVALID", "電子署名を検証できませんでした。"};
    qf.q->transition(first, reject);
    for (State s : {State::inspecting, State::scanning, State::staged, State::released}) {
        Change c{s};
        c.verdict = s == State::scanning ? std::optional<std::string>("accept") : std::nullopt;
        c.scanned_clean = s == State::staged;
        if (s == State::released)
            c.notice = NoticeRequest{"accepted", "", ""};
        qf.q->transition(second, c);
    }
    REQUIRE(test::poll(*qf.q, sim.settings()).notices_sent == 2);
    CHECK(test::poll(*qf.q, sim.settings()).notices_sent == 0);
    const auto returned = sim.count("/notices", "returned");
    CHECK(returned.size() == 1);
    CHECK(returned.at(ids[0]) == 1);
    CHECK(sim.count("/notices", "accepted").at(ids[1]) == 1);
}

TEST_CASE("an expired password stops the cycle with a clear report", "[mynaportal][password]") {
    test::SimFixture sim;
    sim.add_filings(2);
    sim.start({"--password-expires-at", "2020-01-01T00:00:00+09:00"});
    test::QueueFixture qf;
    const auto r = test::poll(*qf.q, sim.settings());
    CHECK(r.password_expired);
    CHECK_THAT(r.error, Catch::Contains("403") && Catch::Contains("password-expired"));
    CHECK(qf.q->counts()[State::fetched] == 0);
}

TEST_CASE("the password's expiry comes back from login", "[mynaportal][password]") {
    test::SimFixture sim;
    sim.start({"--password-expires-at", "2030-01-31T00:00:00+09:00"});
    test::QueueFixture qf;
    const auto r = test::poll(*qf.q, sim.settings());
    REQUIRE(r.ok());
    CHECK(r.password_expires_at_ms == sekisho::parse_rfc3339("2030-01-31T00:00:00+09:00"));
}

TEST_CASE("a server that does not chain to the configured CA gets nothing", "[mynaportal][tls]") {
    test::SimFixture sim;
    sim.add_filings(2);
    sim.start();
    test::QueueFixture qf;
    const auto r = test::poll(*qf.q, sim.settings("client-ca.pem"));
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.error, Catch::Contains("certificate"));
    CHECK(qf.q->counts()[State::fetched] == 0);
    CHECK(sim.recorded().empty());
}

TEST_CASE("the source tracks the password's expiry and warns within 30 days",
          "[mynaportal][password]") {
    test::SimFixture sim;
    const auto in_5_days = sekisho::rfc3339_utc(sekisho::unix_ms_now() + 5 * 86'400'000LL - 60'000);
    sim.start({"--password-expires-at", in_5_days});
    test::QueueFixture qf;
    boost::asio::io_context io;
    mynaportal::Source source(io.get_executor(), *qf.q, sim.settings(), std::chrono::seconds(60));
    source.on_cycle([&] { source.stop(); });
    source.start();
    io.run();
    CHECK(source.status().cycles == 1);
    CHECK(source.status().last_report.ok());
    CHECK(source.status().password_days_left == 5);
    CHECK(source.status().state == mynaportal::SourceStatus::State::stopped);
}

TEST_CASE("the source stops polling when the password has expired", "[mynaportal][password]") {
    test::SimFixture sim;
    sim.start({"--password-expires-at", "2020-01-01T00:00:00+09:00"});
    test::QueueFixture qf;
    boost::asio::io_context io;
    mynaportal::Source source(io.get_executor(), *qf.q, sim.settings(),
                              std::chrono::milliseconds(10));
    mynaportal::SourceStatus::State seen{};
    source.on_cycle([&] {
        seen = source.status().state;
        source.stop();
    });
    source.start();
    io.run();
    CHECK(seen == mynaportal::SourceStatus::State::password_expired);
}

// sekishod end to end with its real stages: the Mynaportal simulator serving generated
// filings (valid ones and one set per reason code), the sandboxed inspection worker and a
// real clamd. Every filing must end staged or rejected exactly as the generator expects,
// with one `returned` notice per rejection.

#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <set>

#include "tests/integration/daemon/daemon_fixture.hpp"
#include "tests/integration/mynaportal/sim_fixture.hpp"
#include "tests/integration/pipeline/pipeline_fixture.hpp"

using namespace sekisho;
using namespace std::chrono_literals;
using queue::State;

namespace {

// The first sample of a family whose labels vary (a version), if any.
std::optional<std::pair<std::string, double>> sample_of(const std::map<std::string, double>& m,
                                                        const std::string& family) {
    const auto it = m.lower_bound(family + "{");
    if (it == m.end() || it->first.rfind(family + "{", 0) != 0)
        return std::nullopt;
    return *it;
}

// Downloads and inspections, as the metrics file shows them once every filing has settled.
void check_fetch_metrics(const test::PipelineFixture& f, std::size_t filings) {
    auto m = f.metrics();
    INFO(test::read_file(f.daemon.metrics));
    const std::string source = "{source=\"mynaportal\"}";
    CHECK(m["sekisho_fetch_duration_seconds_count" + source] ==
          m["sekisho_source_items_taken_total" + source]);
    CHECK(m["sekisho_fetch_duration_seconds_count" + source] >= static_cast<double>(filings));
    CHECK(m["sekisho_fetch_duration_seconds_sum" + source] > 0);
    CHECK(m.count("sekisho_fetch_failures_total" + source) == 1);
    CHECK(m["sekisho_inspect_duration_seconds_count"] > 0);
    CHECK(m["sekisho_inspect_duration_seconds_sum"] > 0);
}

// Scans and clamd's status, likewise.
void check_scan_metrics(const test::PipelineFixture& f, bool has_malware) {
    auto m = f.metrics();
    INFO(test::read_file(f.daemon.metrics));
    CHECK(m["sekisho_scans_total{result=\"clean\"}"] == f.items_in("staged"));
    CHECK(m["sekisho_scans_total{result=\"infected\"}"] == (has_malware ? 1 : 0));
    CHECK(m.count("sekisho_scans_total{result=\"unavailable\"}") == 1);
    CHECK(m["sekisho_scan_duration_seconds_count"] >= f.items_in("staged"));
    CHECK(m["sekisho_scan_duration_seconds_sum"] > 0);
    const auto info = sample_of(m, "sekisho_clamd_info");
    REQUIRE(info);
    CHECK_THAT(info->first, Catch::Contains("version=\""));
    CHECK(info->second == 1);
    // The test clamd has custom signatures only: dated by its database file, just copied.
    REQUIRE(m.count("sekisho_clamd_signature_age_seconds") == 1);
    CHECK(m["sekisho_clamd_signature_age_seconds"] >= 0);
    CHECK(m["sekisho_clamd_signature_age_seconds"] < 3600);
    CHECK(m["sekisho_clamd_last_check_timestamp_seconds"] > 0);
}

}  // namespace

TEST_CASE("generated filings end staged or rejected as expected, with returned notices",
          "[pipeline][daemon]") {
    test::PipelineFixture f;
    f.generate({"--count", "6", "--invalid"});
    f.start_all();
    const auto expected = f.expectations();
    // Every rejection and every duplicate is owed a `returned` notice.
    std::set<std::string> owed;
    for (const auto& [id, e] : expected) {
        if (!e.codes.empty())
            owed.insert(id);
    }
    if (!f.wait_for_notices("returned", owed, 180s))
        FAIL("not every rejection was returned\n" << f.logs());
    // Valid items are staged after their scan; give the last ones a moment.
    f.wait_until_settled(expected, 60s);
    check_fetch_metrics(f, expected.size());
    const bool has_malware = std::any_of(expected.begin(), expected.end(), [](const auto& e) {
        return e.second.codes.count("E-MALWARE") == 1;
    });
    check_scan_metrics(f, has_malware);
    f.stop_daemon();

    auto q = f.open_queue();
    const auto returned = f.sim.count("/notices", "returned");
    for (const auto& [arrive_id, e] : expected) {
        INFO(arrive_id << ": " << e.description);
        const auto item = q->find_external("mynaportal", arrive_id);
        REQUIRE(item);
        if (e.codes.empty()) {
            CHECK(item->state == State::staged);
            CHECK(item->scanned_clean);
            CHECK(item->verdict == "accept");
            CHECK(returned.count(arrive_id) == 0);
        } else if (e.codes == std::set<std::string>{"E-DUPLICATE"}) {
            CHECK(item->state == State::duplicate);
            CHECK(returned.count(arrive_id) == 1);
            CHECK(f.returned_code(arrive_id) == "E-DUPLICATE");
        } else {
            CHECK(item->state == State::rejected);
            CHECK(test::reason_codes(item->reasons_json) == e.codes);
            CHECK(returned.count(arrive_id) == 1);
            if (returned.count(arrive_id) == 1)
                CHECK(e.codes.count(f.returned_code(arrive_id)) == 1);
        }
    }
    // Nothing personal reaches the journal: no 12-digit run in the daemon's log.
    CHECK_FALSE(test::has_twelve_digit_run(test::read_file(f.daemon_log())));
}

TEST_CASE("an unreachable clamd leaves valid filings in scanning until it is back",
          "[pipeline][daemon]") {
    test::PipelineFixture f;
    f.generate({"--count", "3"});
    f.start_all();
    f.clamd.stop();
    const auto expected = f.expectations();
    if (!f.wait_for_notices("received", expected.size(), 60s))
        FAIL("not every filing was received\n" << f.logs());
    // The whole sample line: its HELP text reads "sekisho_scanner_available 0 while ...".
    if (!f.wait_for_metric("\nsekisho_scanner_available 0\n", 60s))
        FAIL("the scanner was not reported unusable\n" << f.logs());
    CHECK(f.metrics()["sekisho_scans_total{result=\"unavailable\"}"] >= 1);
    const auto all_waiting = [&] {
        return f.items_in("scanning") == static_cast<double>(expected.size());
    };
    if (!test::PipelineFixture::wait(60s, all_waiting))
        FAIL("not every filing reached scanning\n" << f.logs());
    // Stopping and opening the queue shows them waiting, none released or rejected.
    f.stop_daemon();
    {
        auto q = f.open_queue();
        for (const auto& [arrive_id, e] : expected)
            CHECK(q->find_external("mynaportal", arrive_id)->state == State::scanning);
    }
    f.clamd.start();
    f.start_daemon();
    f.wait_until_settled(expected, 60s);
    f.stop_daemon();
    auto q = f.open_queue();
    for (const auto& [arrive_id, e] : expected)
        CHECK(q->find_external("mynaportal", arrive_id)->state == State::staged);
}

TEST_CASE("a hung or crashed inspection worker holds the item and the daemon keeps serving",
          "[pipeline][daemon]") {
    test::PipelineFixture f;
    f.workers = 1;  // the next package goes to the worker the test stopped
    f.generate({"--count", "1"});
    f.start_all();
    const auto settled = [&](double staged, double held) {
        return [&f, staged, held] {
            return f.items_in("staged") == staged && f.items_in("held") == held;
        };
    };
    if (!test::PipelineFixture::wait(60s, settled(1, 0)))
        FAIL("the first filing was not staged\n" << f.logs());

    // Hang: the worker is stopped, so the next package gets no answer within
    // worker_timeout (5 s); the worker is killed and the item held.
    const pid_t hung = f.worker_pid();
    REQUIRE(hung > 0);
    ::kill(hung, SIGSTOP);
    const auto hang_ids = f.add_batch(11, 1);
    if (!test::PipelineFixture::wait(60s, settled(1, 1)))
        FAIL("the item inspected by a hung worker was not held\n" << f.logs());

    // The daemon keeps serving with a new worker...
    const auto next_ids = f.add_batch(12, 1);
    if (!test::PipelineFixture::wait(60s, settled(2, 1)))
        FAIL("no filing was staged after the hang\n" << f.logs());

    // ...and a worker killed in the middle of a request ends in a held item too.
    const pid_t crashing = f.worker_pid();
    REQUIRE(crashing > 0);
    CHECK(crashing != hung);
    ::kill(crashing, SIGSTOP);
    const auto crash_ids = f.add_batch(13, 1);
    REQUIRE(f.wait_for_notices("received", 4, 60s));
    std::this_thread::sleep_for(1s);  // the request is on its way to the stopped worker
    ::kill(crashing, SIGKILL);
    if (!test::PipelineFixture::wait(60s, settled(2, 2)))
        FAIL("the item of a killed worker was not held\n" << f.logs());
    const auto last_ids = f.add_batch(14, 1);
    if (!test::PipelineFixture::wait(60s, settled(3, 2)))
        FAIL("no filing was staged after the crash\n" << f.logs());
    f.stop_daemon();

    auto q = f.open_queue();
    CHECK(q->find_external("mynaportal", hang_ids.at(0))->state == State::held);
    CHECK(q->find_external("mynaportal", crash_ids.at(0))->state == State::held);
    CHECK(q->find_external("mynaportal", next_ids.at(0))->state == State::staged);
    CHECK(q->find_external("mynaportal", last_ids.at(0))->state == State::staged);
    std::ostringstream audit;
    q->export_audit(audit, std::nullopt, std::nullopt);
    CHECK_THAT(audit.str(), Catch::Contains("inspection failed"));
    const auto log = test::read_file(f.daemon_log());
    CHECK_THAT(log, Catch::Contains("timed out") && Catch::Contains("signal 9"));
}

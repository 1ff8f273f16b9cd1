#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/pipeline_stages.hpp"
#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::daemon;
using namespace std::chrono_literals;
using queue::State;

namespace {

const std::string kMeta = R"({"arrive_id":"A1","auth_method":"gbizid"})";

ScanResult scan_result(ScanStatus status, std::string where = "", std::string detail = "") {
    ScanResult r;
    r.status = status;
    r.where = std::move(where);
    r.detail = std::move(detail);
    return r;
}

// Stand-ins for the sandboxed worker and clamd, whose answers the test sets; the real
// ones are exercised by the integration tests.
struct Stages {
    std::mutex mutex;
    InspectResult inspect{inspect::Verdict{}, {{"KPFD0006.CSV", "x"}}, {"2200700"}, "", {}};
    ScanResult scan = scan_result(ScanStatus::clean);
    std::atomic<int> inspections{0};
    std::atomic<int> scans{0};
    std::chrono::milliseconds delay{0};  // how long each inspection and scan takes
    std::string last_zip;
    inspect::AuthMethod last_auth = inspect::AuthMethod::certificate;

    InspectFn inspect_fn() {
        return [this](std::string_view zip, const inspect::Options& o) {
            std::lock_guard lock(mutex);
            ++inspections;
            std::this_thread::sleep_for(delay);
            last_zip = std::string(zip);
            last_auth = o.auth_method;
            return inspect;
        };
    }
    ScanFn scan_fn() {
        return [this](std::string_view, const std::vector<inspect::Entry>&) {
            std::lock_guard lock(mutex);
            ++scans;
            std::this_thread::sleep_for(delay);
            return scan;
        };
    }
    void set_scan(ScanResult r) {
        std::lock_guard lock(mutex);
        scan = std::move(r);
    }
};

// Stored and confirmed to its source, as the Mynaportal source leaves a filing.
queue::ItemId confirmed(test::QueueFixture& f, const std::string& external_id,
                        const std::string& payload, const std::string& meta) {
    const auto id = f.enqueue(external_id, payload, meta).id;
    f.q->confirm_to_source(id, std::nullopt);
    return id;
}

PipelineTiming fast() {
    return {10ms, 40ms, 50ms};
}

State wait_for(queue::Queue& q, const queue::ItemId& id, State want) {
    const auto until = std::chrono::steady_clock::now() + 20s;
    State s = q.find(id)->state;
    while (s != want && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(10ms);
        s = q.find(id)->state;
    }
    return s;
}

}  // namespace

TEST_CASE("an accepted and clean item is staged", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    const auto id = f.enqueue("A1", "zip bytes", kMeta).id;
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    // Not before the source has been told the filing is stored.
    std::this_thread::sleep_for(200ms);
    CHECK(f.q->find(id)->state == State::fetched);
    f.q->confirm_to_source(id, std::nullopt);
    p.wake();
    REQUIRE(wait_for(*f.q, id, State::staged) == State::staged);
    const auto item = f.q->find(id);
    CHECK(item->verdict == "accept");
    CHECK(item->scanned_clean);
    CHECK(st.last_zip == "zip bytes");
    CHECK(st.last_auth == inspect::AuthMethod::gbizid);
    // The counter follows the durable transition.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (p.counters().accepted == 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(5ms);
    CHECK(p.counters().accepted == 1);
}

TEST_CASE("a rejected item gets its reasons and a returned notice", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    inspect::Verdict v;
    v.add(inspect::code::csv_field, "KPFD0006.CSV:6 field 10", "not a real date in its era");
    v.add(inspect::code::sig_missing, "kousei.xml", "no signature");
    st.inspect = {v, {}, {}, "", {}};
    const auto id = confirmed(f, "A1", "zip", kMeta);
    f.q->confirm_to_source(id, std::nullopt);
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    REQUIRE(wait_for(*f.q, id, State::rejected) == State::rejected);
    p.stop();
    const auto item = f.q->find(id);
    CHECK(item->verdict == "reject");
    CHECK_THAT(item->reasons_json, Catch::Contains("E-CSV-FIELD") &&
                                       Catch::Contains("KPFD0006.CSV:6 field 10") &&
                                       !Catch::Contains("not a real date"));
    CHECK(st.scans == 0);
    const auto due = f.q->due_notices("mynaportal", std::chrono::system_clock::now(), 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].request.kind == "returned");
    CHECK(due[0].request.reason_code == "E-CSV-FIELD");
    CHECK_THAT(due[0].request.message,
               Catch::Contains("E-CSV-FIELD") && Catch::Contains("E-SIG-MISSING"));
}

TEST_CASE("no verdict puts the item on hold and the pipeline goes on", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    st.inspect = {std::nullopt, {}, {}, "inspection worker crashed (signal 9)", {}};
    const auto held = confirmed(f, "A1", "zip1", kMeta);
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    REQUIRE(wait_for(*f.q, held, State::held) == State::held);
    {
        std::lock_guard lock(st.mutex);
        st.inspect = {inspect::Verdict{}, {}, {}, "", {}};
    }
    const auto next = confirmed(f, "A2", "zip2", kMeta);
    p.wake();
    CHECK(wait_for(*f.q, next, State::staged) == State::staged);
    CHECK(f.q->find(held)->state == State::held);
    CHECK(p.counters().held == 1);
}

TEST_CASE("an unusable scanner leaves the item in scanning until it works again", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    st.scan = scan_result(ScanStatus::unavailable, "", "clamd unreachable");
    const auto id = confirmed(f, "A1", "zip", kMeta);
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    REQUIRE(wait_for(*f.q, id, State::scanning) == State::scanning);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (st.scans < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    CHECK(st.scans >= 3);
    CHECK(f.q->find(id)->state == State::scanning);
    CHECK_FALSE(p.counters().scanner_available);
    CHECK(p.counters().scanner_problem == "clamd unreachable");
    st.set_scan(scan_result(ScanStatus::clean));
    CHECK(wait_for(*f.q, id, State::staged) == State::staged);
    CHECK(p.counters().scanner_available);
}

TEST_CASE("malware found by the scanner rejects with E-MALWARE", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    st.scan = scan_result(ScanStatus::infected, "photo.jpg", "Eicar-Test-Signature");
    const auto id = confirmed(f, "A1", "zip", kMeta);
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    REQUIRE(wait_for(*f.q, id, State::rejected) == State::rejected);
    CHECK_THAT(f.q->find(id)->reasons_json,
               Catch::Contains("E-MALWARE") && Catch::Contains("photo.jpg"));
}

TEST_CASE("an inspection interrupted by a restart is done again", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    const auto id = confirmed(f, "A1", "zip", kMeta);
    f.q->transition(id, {State::inspecting});
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    CHECK(wait_for(*f.q, id, State::staged) == State::staged);
    CHECK(st.inspections == 1);
}

TEST_CASE("metadata without a known auth_method holds the item", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    const auto id = confirmed(f, "A1", "zip", R"({"auth_method":"password"})");
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    CHECK(wait_for(*f.q, id, State::held) == State::held);
    CHECK(st.inspections == 0);
}

TEST_CASE("a package over the size limit is rejected without a worker", "[pipeline]") {
    test::QueueFixture f;
    Stages st;
    config::InspectSettings small;
    small.max_package = 4;
    const auto id = confirmed(f, "A1", "more than four bytes", kMeta);
    Pipeline p(*f.q, small, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    REQUIRE(wait_for(*f.q, id, State::rejected) == State::rejected);
    CHECK_THAT(f.q->find(id)->reasons_json, Catch::Contains("E-ZIP-LIMIT"));
    CHECK(st.inspections == 0);
}

TEST_CASE("the returned message stays short and names codes only", "[pipeline]") {
    inspect::Verdict v;
    for (const auto c :
         {"E-ZIP-CORRUPT", "E-ZIP-STRUCTURE", "E-ZIP-PATH", "E-ZIP-LIMIT", "E-XML-MALFORMED",
          "E-XML-DTD", "E-XML-SCHEMA", "E-SIG-MISSING", "E-SIG-INVALID", "E-SIG-UNCOVERED",
          "E-SIG-UNTRUSTED", "E-SIG-EXPIRED", "E-SIG-REVOKED", "E-SIG-WEAK", "E-CSV-ENCODING",
          "E-CSV-STRUCTURE", "E-CSV-FORM", "E-CSV-FIELD", "E-CSV-COUNT"})
        v.add(c, "x", "y");
    const auto msg = returned_message(v);
    CHECK(msg.size() <= 400);
    CHECK_THAT(msg, Catch::Contains("E-CSV-COUNT") && Catch::Contains("ほか"));
}

TEST_CASE("the auto-release policy releases clean items whose every form it lists",
          "[pipeline][release]") {
    test::QueueFixture f;
    Stages st;
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.set_auto_release({{"mynaportal", {"2200700", "2265700"}}, {"chukan", {"2201700"}}});
    p.start();
    const auto listed = confirmed(f, "A1", "one", kMeta);
    REQUIRE(wait_for(*f.q, listed, State::released) == State::released);
    // One form not listed: a person decides.
    {
        std::lock_guard lock(st.mutex);
        st.inspect.forms = {"2200700", "2201700"};
    }
    const auto partly = confirmed(f, "A2", "two", kMeta);
    p.wake();
    REQUIRE(wait_for(*f.q, partly, State::staged) == State::staged);
    // Another source's rule does not apply, and no forms at all never release.
    const auto other_source = f.enqueue("C1", "three", kMeta, "filing", "chukan").id;
    {
        std::lock_guard lock(st.mutex);
        st.inspect.forms = {};
    }
    const auto no_forms = confirmed(f, "A3", "four", kMeta);
    p.wake();
    REQUIRE(wait_for(*f.q, no_forms, State::staged) == State::staged);
    CHECK(wait_for(*f.q, other_source, State::staged) == State::staged);
    p.stop();
    CHECK(p.counters().auto_released == 1);
    // The released filing owes its source an `accepted` notice after `received`.
    const auto notices = f.q->due_notices("mynaportal", std::chrono::system_clock::now(), 100);
    const auto accepted = std::count_if(notices.begin(), notices.end(), [&](const auto& n) {
        return n.item == listed && n.request.kind == "accepted";
    });
    CHECK(accepted == 1);
}

TEST_CASE("inspections and scans are counted with their durations", "[pipeline][metrics]") {
    test::QueueFixture f;
    Stages st;
    st.delay = 20ms;
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.start();
    const auto clean = confirmed(f, "A1", "one", kMeta);
    REQUIRE(wait_for(*f.q, clean, State::staged) == State::staged);
    st.set_scan(scan_result(ScanStatus::infected, "photo.jpg", "Eicar-Test-Signature"));
    const auto infected = confirmed(f, "A2", "two", kMeta);
    p.wake();
    REQUIRE(wait_for(*f.q, infected, State::rejected) == State::rejected);
    st.set_scan(scan_result(ScanStatus::unavailable, "", "clamd unreachable"));
    const auto waiting = confirmed(f, "A3", "three", kMeta);
    p.wake();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (p.counters().scan_retries < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    p.stop();
    CHECK(f.q->find(waiting)->state == State::scanning);
    const auto c = p.counters();
    CHECK(c.scans_clean == 1);
    CHECK(c.scans_infected == 1);
    CHECK(c.scan_retries >= 2);
    // Every attempt is timed, a scan that found clamd unusable too; a retried scan is
    // inspected again, and that inspection is timed as well.
    CHECK(c.scan_duration.count == static_cast<std::uint64_t>(st.scans.load()));
    CHECK(c.inspect_duration.count == static_cast<std::uint64_t>(st.inspections.load()));
    CHECK(c.scan_duration.sum_seconds >= 0.02 * static_cast<double>(c.scan_duration.count));
    CHECK(c.inspect_duration.sum_seconds >= 0.02 * static_cast<double>(c.inspect_duration.count));
}

TEST_CASE("what the last VERSION check found is kept while clamd cannot be asked",
          "[pipeline][metrics]") {
    test::QueueFixture f;
    Stages st;
    const auto dated = std::chrono::system_clock::now() - 5h;
    const auto checked = std::chrono::system_clock::now();
    ScanResult with_check = scan_result(ScanStatus::clean);
    with_check.scanner_version = "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026";
    with_check.signatures_dated = dated;
    with_check.scanner_checked = checked;
    st.scan = with_check;
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    CHECK_FALSE(p.counters().scanner_checked);
    p.start();
    const auto first = confirmed(f, "A1", "one", kMeta);
    REQUIRE(wait_for(*f.q, first, State::staged) == State::staged);
    CHECK(p.counters().scanner_version == with_check.scanner_version);
    CHECK(p.counters().signatures_dated == dated);
    CHECK(p.counters().scanner_checked == checked);
    // Unreachable: no VERSION answer, nothing new to say about the scanner.
    st.set_scan(scan_result(ScanStatus::unavailable, "", "unreachable: connect"));
    const auto second = confirmed(f, "A2", "two", kMeta);
    p.wake();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (p.counters().scan_retries < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    CHECK(f.q->find(second)->state == State::scanning);
    CHECK(p.counters().scanner_version == with_check.scanner_version);
    CHECK(p.counters().signatures_dated == dated);
    // Stale or undated signatures: the check ran, and its findings replace the old ones.
    ScanResult undated = scan_result(ScanStatus::unavailable, "", "stale signatures: undated");
    undated.scanner_version = "ClamAV 1.4.7";
    undated.scanner_checked = checked + 1s;
    st.set_scan(undated);
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (p.counters().scanner_version != "ClamAV 1.4.7" &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(5ms);
    p.stop();
    CHECK(p.counters().scanner_version == "ClamAV 1.4.7");
    CHECK_FALSE(p.counters().signatures_dated);
    CHECK(p.counters().scanner_checked == checked + 1s);
    CHECK(f.q->find(second)->state == State::scanning);
}

TEST_CASE("clamd's outcome keeps what the VERSION check found, whatever the status",
          "[pipeline][clamd]") {
    const auto now = std::chrono::system_clock::now();
    clamd::ScanOutcome stale;
    stale.status = clamd::ScanOutcome::Status::unavailable;
    stale.reason = clamd::Unavailable::stale_signatures;
    stale.detail = "signatures older than max_signature_age 3d";
    stale.scanner =
        clamd::ScannerInfo{"ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026", now - 96h, now};
    const auto r = to_scan_result(stale);
    CHECK(r.status == ScanStatus::unavailable);
    CHECK_THAT(r.detail, Catch::Contains("older than"));
    CHECK(r.scanner_version == "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026");
    CHECK(r.signatures_dated == now - 96h);
    CHECK(r.scanner_checked == now);

    clamd::ScanOutcome unreachable;
    unreachable.reason = clamd::Unavailable::unreachable;
    const auto u = to_scan_result(unreachable);
    CHECK(u.status == ScanStatus::unavailable);
    CHECK(u.scanner_version.empty());
    CHECK_FALSE(u.signatures_dated);
    CHECK_FALSE(u.scanner_checked);
}

TEST_CASE("a chukan file is inspected by its kind, flagged and never auto-released flagged",
          "[pipeline][chukan]") {
    test::QueueFixture f;
    Stages st;
    std::mutex mutex;
    std::vector<std::string> kinds;
    std::vector<std::string> flags{"honnin-multiple-matches:2"};
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p.inspect_chukan_with([&](std::string_view file, std::string_view kind) {
        std::lock_guard lock(mutex);
        kinds.emplace_back(kind);
        InspectResult r{inspect::Verdict{}, {}, {std::string(kind)}, "", {}};
        if (file.starts_with("H,HONNIN-RES"))
            r.flags = flags;
        return r;
    });
    p.set_auto_release({{"chukan", {"HONNIN-RES", "SHIKAKU-REG-RES"}}});
    p.start();
    const auto flagged = f.enqueue("R1", "H,HONNIN-RES", "{}", "HONNIN-RES", "chukan").id;
    const auto plain = f.enqueue("R2", "H,SHIKAKU-REG-RES", "{}", "SHIKAKU-REG-RES", "chukan").id;
    p.wake();
    // Flagged: staged for a person, with its flag; the other one released by the policy.
    REQUIRE(wait_for(*f.q, flagged, State::staged) == State::staged);
    REQUIRE(wait_for(*f.q, plain, State::released) == State::released);
    CHECK(f.q->find(flagged)->flags == flags);
    CHECK(f.q->find(plain)->flags.empty());
    p.stop();
    std::lock_guard lock(mutex);
    std::sort(kinds.begin(), kinds.end());  // lanes take them in any order
    CHECK(kinds == std::vector<std::string>{"HONNIN-RES", "SHIKAKU-REG-RES"});
    CHECK(st.inspections == 0);  // the filing inspector never saw them
    CHECK(st.scans == 2);
    CHECK(f.q->due_notices("chukan", std::chrono::system_clock::now(), 10).empty());
}

TEST_CASE("a rejected chukan file owes no notice, and without an inspector it is held",
          "[pipeline][chukan]") {
    test::QueueFixture f;
    Stages st;
    Pipeline p(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    const auto unchecked = f.enqueue("R0", "bytes", "{}", "SHOKAI-RES", "chukan").id;
    p.start();
    REQUIRE(wait_for(*f.q, unchecked, State::held) == State::held);
    p.stop();
    inspect::Verdict v;
    v.add("E-CHUKAN-TRAILER", "line 7", "no trailer");
    Pipeline p2(*f.q, {}, st.inspect_fn(), st.scan_fn(), fast());
    p2.inspect_chukan_with([&](std::string_view, std::string_view) {
        return InspectResult{v, {}, {}, "", {}};
    });
    const auto bad = f.enqueue("Q1", "other bytes", "{}", "HONNIN-REQ", "operator").id;
    p2.start();
    REQUIRE(wait_for(*f.q, bad, State::rejected) == State::rejected);
    p2.stop();
    CHECK(f.q->find(bad)->reasons_json.find("E-CHUKAN-TRAILER") != std::string::npos);
    CHECK(f.q->pending_notices() == 0);
}

namespace {

// An inspector that records which packages it saw and how many calls overlapped.
struct OverlapProbe {
    std::mutex mutex;
    std::multiset<std::string> seen;
    int in_flight = 0;
    int most_at_once = 0;

    InspectFn inspect_fn() {
        return [this](std::string_view zip, const inspect::Options&) {
            {
                std::lock_guard lock(mutex);
                seen.insert(std::string(zip));
                most_at_once = std::max(most_at_once, ++in_flight);
            }
            std::this_thread::sleep_for(50ms);
            {
                std::lock_guard lock(mutex);
                --in_flight;
            }
            return InspectResult{inspect::Verdict{}, {}, {"2200700"}, "", {}};
        };
    }
};

int staged_in(test::QueueFixture& f, const std::vector<queue::ItemId>& ids) {
    int n = 0;
    for (const auto& id : ids)
        n += f.q->find(id)->state == State::staged ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("lanes take different items at once and every item exactly once", "[pipeline]") {
    const std::int64_t lanes = GENERATE(1, 4);
    test::QueueFixture f;
    std::vector<queue::ItemId> ids;
    for (int i = 0; i < 12; ++i)
        ids.push_back(confirmed(f, "L" + std::to_string(i), "zip " + std::to_string(i), kMeta));
    OverlapProbe probe;
    config::InspectSettings settings;
    settings.workers = lanes;
    Pipeline p(
        *f.q, settings, probe.inspect_fn(),
        [](std::string_view, const std::vector<inspect::Entry>&) {
            return scan_result(ScanStatus::clean);
        },
        fast());
    p.start();
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (staged_in(f, ids) < 12 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(10ms);
    p.stop();
    CHECK(staged_in(f, ids) == 12);
    std::lock_guard lock(probe.mutex);
    CHECK(probe.seen.size() == 12);
    for (int i = 0; i < 12; ++i)
        CHECK(probe.seen.count("zip " + std::to_string(i)) == 1);
    if (lanes == 1)
        CHECK(probe.most_at_once == 1);
    else
        CHECK(probe.most_at_once > 1);
    CHECK(probe.most_at_once <= lanes);
    CHECK(p.counters().accepted == 12);
}

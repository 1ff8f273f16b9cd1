// bench/inspect: how fast Sekisho inspects and virus-scans filings, next to the bare scan.
// Generates N filings (default 1,000) with `sekisho-sim make-filings`, starts a real clamd
// with the project's test signatures, then in one run:
//   1. an untimed pass of scans: clamd's first scans of each kind of file are slower, and
//      both sides are measured warm;
//   2. the inspection alone, and the scans alone, on one lane;
//   3. in alternating rounds (the median kept: one sample on a shared machine says more
//      about its neighbours): the daemon's path for each package, through the stages the
//      daemon builds (daemon/pipeline_stages): the sandboxed inspection worker (ZIP, XML,
//      signature, CSV, 個人番号 policy), then clamd on the package and every entry (one
//      bundle stream when clamd scans archives), on as many lanes as the daemon runs by
//      default (`[inspect] workers`); and `clamdscan --stream` over the same package files
//      against the same clamd (the reference of the goal: Sekisho's whole inspection within
//      1.25x of it);
//   4. the daemon's path on one lane, for comparison.
//
// Usage: bench_inspect [FILINGS [LANES]]

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "config/settings.hpp"
#include "daemon/pipeline_stages.hpp"
#include "tests/support/clamd_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using Clock = std::chrono::steady_clock;

constexpr int kRounds = 5;

namespace {

struct Package {
    std::string bytes;
    inspect::AuthMethod auth = inspect::AuthMethod::certificate;
};

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<Package> load_packages(const std::filesystem::path& dir) {
    std::vector<Package> out;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        if (f.path().extension() != ".zip")
            continue;
        auto meta_path = f.path();
        meta_path.replace_extension(".json");
        const auto meta = boost::json::parse(test::read_file(meta_path));
        Package p{test::read_file(f.path())};
        if (meta.at("auth_method").as_string() == "gbizid")
            p.auth = inspect::AuthMethod::gbizid;
        out.push_back(std::move(p));
    }
    return out;
}

void print(const std::string& what, double seconds, std::size_t n, std::uint64_t bytes) {
    std::printf("%-52s %6.2f s: %7.1f filings/s, %6.2f MB/s\n", what.c_str(), seconds, n / seconds,
                bytes / 1e6 / seconds);
}

// `lanes` threads, each taking the next filing until none is left, as the pipeline's
// lanes take items.
double run_lanes(std::size_t lanes, std::size_t n, const std::function<void(std::size_t)>& one) {
    std::atomic<std::size_t> next{0};
    const auto t = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t l = 0; l < lanes; ++l) {
        threads.emplace_back([&] {
            for (std::size_t i = next++; i < n; i = next++)
                one(i);
        });
    }
    for (auto& th : threads)
        th.join();
    return seconds_since(t);
}

config::Settings bench_settings(const test::ClamdFixture& clamd, std::size_t lanes) {
    config::Settings s;
    if (lanes > 0)
        s.inspect.workers = static_cast<std::int64_t>(lanes);
    s.clamd.socket = clamd.socket_path().string();
    s.clamd.database_dir = clamd.database_dir();
    s.clamd.max_stream = clamd.stream_max_bytes();
    return s;
}

std::filesystem::path generate(const test::TempDir& dir, int count) {
    const auto gen = test::run({test::program("sekisho-sim").string(), "make-filings", "--out",
                                (dir / "filings").string(), "--ca-dir", (dir / "ca").string(),
                                "--count", std::to_string(count)});
    if (gen.exit_code != 0)
        throw std::runtime_error("make-filings failed: " + gen.err);
    return dir / "filings";
}

double bare_scan(const test::ClamdFixture& clamd, const std::filesystem::path& filings,
                 int& exit_code) {
    std::vector<std::string> argv{"/usr/bin/clamdscan", "--stream", "--no-summary", "--config-file",
                                  clamd.config_file().string()};
    for (const auto& f : std::filesystem::directory_iterator(filings)) {
        if (f.path().extension() == ".zip")
            argv.push_back(f.path().string());
    }
    const auto t = Clock::now();
    exit_code = test::run(argv).exit_code;
    return seconds_since(t);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    const long lanes_arg = argc > 2 ? std::atol(argv[2]) : 0;  // 0: the daemon's default
    if (count <= 0 || lanes_arg < 0 || lanes_arg > 16 || argc > 3) {
        std::fprintf(stderr, "usage: bench_inspect [FILINGS (>0) [LANES (1..16)]]\n");
        return 2;
    }
    test::TempDir dir;
    std::printf("bench/inspect: generating %d filings...\n", count);
    std::fflush(stdout);
    const auto filings = generate(dir, count);
    const auto packages = load_packages(filings);
    const std::size_t n = packages.size();
    std::uint64_t bytes = 0;
    for (const auto& p : packages)
        bytes += p.bytes.size();
    test::ClamdFixture clamd_process(test::ClamdOptions{.stream_max_length = "64M"});
    const auto settings = bench_settings(clamd_process, static_cast<std::size_t>(lanes_arg));
    const auto lanes = static_cast<std::size_t>(settings.inspect.workers);
    const auto inspect = daemon::make_inspect_fn(daemon::make_workers(settings));
    inspect::Options options;
    options.trust_anchors.push_back(test::read_file(dir / "ca" / "trust-anchor.pem"));
    options.crls.push_back(test::read_file(dir / "ca" / "crl.pem"));
    options.now = std::time(nullptr);
    const auto options_for = [&](std::size_t i) {
        inspect::Options o = options;
        o.auth_method = packages[i].auth;
        return o;
    };
    std::printf("%zu packages, %.1f MB; %zu lanes (the daemon's [inspect] workers%s)\n", n,
                bytes / 1e6, lanes, lanes_arg > 0 ? ", as given" : " default");

    std::vector<daemon::InspectResult> inspected(n);
    const double inspect_s = run_lanes(
        1, n, [&](std::size_t i) { inspected[i] = inspect(packages[i].bytes, options_for(i)); });
    std::atomic<int> accepted{0};
    for (const auto& r : inspected)
        accepted += r.verdict && r.verdict->accepted() ? 1 : 0;

    // Each figure with a scanner of its own, so each pays for its first scanner check.
    std::atomic<int> clean{0};
    bool bundles = false;
    const auto scans = [&] {
        const auto scan = daemon::make_scan_fn(settings.clamd);
        return run_lanes(1, n, [&](std::size_t i) {
            const auto r = scan(packages[i].bytes, inspected[i].entries);
            clean += r.status == daemon::ScanStatus::clean ? 1 : 0;
            bundles = r.scans_archives;
        });
    };
    (void)scans();
    clean = 0;
    const double scan_s = scans();
    inspected.clear();

    const auto whole = [&](std::size_t lane_count) {
        const auto scan = daemon::make_scan_fn(settings.clamd);
        return run_lanes(lane_count, n, [&](std::size_t i) {
            const auto r = inspect(packages[i].bytes, options_for(i));
            if (r.verdict && r.verdict->accepted())
                (void)scan(packages[i].bytes, r.entries);
        });
    };
    std::vector<double> whole_s;
    std::vector<double> bare_s;
    int bare_exit = 0;
    for (int round = 0; round < kRounds; ++round) {
        whole_s.push_back(whole(lanes));
        bare_s.push_back(bare_scan(clamd_process, filings, bare_exit));
    }
    const double one_lane_s = whole(1);

    std::printf("inspection accepted %d of %zu, scans clean %d of %zu, clamdscan exit %d\n",
                accepted.load(), n, clean.load(), n, bare_exit);
    std::printf("clamd scans inside archives: %s\n",
                bundles ? "yes (package and entries go as one bundle stream)"
                        : "NO (a stream per entry and one for the package)");
    print("inspection alone (sandboxed worker), 1 lane", inspect_s, n, bytes);
    print("scans alone (package and every entry), 1 lane", scan_s, n, bytes);
    print("Sekisho: inspection + scan, 1 lane", one_lane_s, n, bytes);
    print("Sekisho: inspection + scan, " + std::to_string(lanes) + " lanes (as the daemon), median",
          median(whole_s), n, bytes);
    print("clamdscan --stream, same files, same clamd, median", median(bare_s), n, bytes);
    std::printf("rounds, alternating: %d; ratio per round:", kRounds);
    for (int r = 0; r < kRounds; ++r)
        std::printf(" %.2f", whole_s[r] / bare_s[r]);
    std::printf("\nratio Sekisho (as the daemon) / clamdscan, medians: %.2f (goal: at most 1.25)\n",
                median(whole_s) / median(bare_s));
    return 0;
}

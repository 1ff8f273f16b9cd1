// bench/inspect: how fast Sekisho inspects and virus-scans filings, next to the bare scan.
// Generates N filings (default 1,000) with `sekisho-sim make-filings`, starts a real clamd
// with the project's test signatures, then in one run:
//   1. the daemon's path for each package: the sandboxed inspection worker (ZIP, XML,
//      signature, CSV, 個人番号 policy), then clamd on every entry and the package;
//   2. the inspection alone, and the scans alone;
//   3. `clamdscan --stream` over the same package files against the same clamd (the
//      reference of the goal: Sekisho's whole inspection within 1.25x of it).
//
// Usage: bench_inspect [FILINGS]

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "adapters/clamd/client.hpp"
#include "adapters/clamd/package_scan.hpp"
#include "daemon/inspect/worker_client.hpp"
#include "tests/support/clamd_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using Clock = std::chrono::steady_clock;

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

std::vector<clamd::Entry> views(const std::vector<inspect::Entry>& entries) {
    std::vector<clamd::Entry> v;
    for (const auto& e : entries)
        v.push_back({e.name, e.bytes});
    return v;
}

void print(const char* what, double seconds, std::size_t n, std::uint64_t bytes) {
    std::printf("%-44s %6.2f s: %7.1f filings/s, %6.2f MB/s\n", what, seconds, n / seconds,
                bytes / 1e6 / seconds);
}

}  // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    test::TempDir dir;
    std::printf("bench/inspect: generating %d filings...\n", count);
    std::fflush(stdout);
    const auto gen = test::run({test::program("sekisho-sim").string(), "make-filings", "--out",
                                (dir / "filings").string(), "--ca-dir", (dir / "ca").string(),
                                "--count", std::to_string(count)});
    if (gen.exit_code != 0) {
        std::fprintf(stderr, "make-filings failed: %s\n", gen.err.c_str());
        return 1;
    }
    const auto packages = load_packages(dir / "filings");
    std::uint64_t bytes = 0;
    for (const auto& p : packages)
        bytes += p.bytes.size();
    test::ClamdFixture clamd_process(test::ClamdOptions{.stream_max_length = "64M"});
    const clamd::Client client(clamd::Address::parse(clamd_process.socket_path().string()),
                               std::chrono::seconds(60), 64ull << 20);
    const clamd::SignaturePolicy policy{clamd_process.database_dir(), std::chrono::hours(72)};
    inspect::Options options;
    options.trust_anchors.push_back(test::read_file(dir / "ca" / "trust-anchor.pem"));
    options.crls.push_back(test::read_file(dir / "ca" / "crl.pem"));
    options.now = std::time(nullptr);
    inspect::InspectWorker worker;
    std::printf("%zu packages, %.1f MB\n", packages.size(), bytes / 1e6);

    std::vector<std::vector<inspect::Entry>> entries(packages.size());
    int accepted = 0;
    auto t = Clock::now();
    for (std::size_t i = 0; i < packages.size(); ++i) {
        options.auth_method = packages[i].auth;
        auto r = worker.inspect(packages[i].bytes, options);
        if (auto* done = std::get_if<inspect::Inspection>(&r)) {
            accepted += done->verdict.accepted() ? 1 : 0;
            entries[i] = std::move(done->entries);
        }
    }
    const double inspect_s = seconds_since(t);

    int clean = 0;
    t = Clock::now();
    for (std::size_t i = 0; i < packages.size(); ++i) {
        const auto v = views(entries[i]);
        clean += clamd::scan_package(client, policy, packages[i].bytes, v).status ==
                         clamd::ScanOutcome::Status::clean
                     ? 1
                     : 0;
    }
    const double scan_s = seconds_since(t);

    t = Clock::now();
    for (const auto& p : packages) {
        options.auth_method = p.auth;
        auto r = worker.inspect(p.bytes, options);
        if (auto* done = std::get_if<inspect::Inspection>(&r)) {
            const auto v = views(done->entries);
            (void)clamd::scan_package(client, policy, p.bytes, v);
        }
    }
    const double whole_s = seconds_since(t);

    std::vector<std::string> scan_argv{"/usr/bin/clamdscan", "--stream", "--no-summary",
                                       "--config-file", clamd_process.config_file().string()};
    for (const auto& f : std::filesystem::directory_iterator(dir / "filings")) {
        if (f.path().extension() == ".zip")
            scan_argv.push_back(f.path().string());
    }
    t = Clock::now();
    const auto bare = test::run(scan_argv);
    const double bare_s = seconds_since(t);

    std::printf("inspection accepted %d of %zu, scans clean %d of %zu, clamdscan exit %d\n",
                accepted, packages.size(), clean, packages.size(), bare.exit_code);
    print("inspection alone (sandboxed worker)", inspect_s, packages.size(), bytes);
    print("scans alone (every entry + package)", scan_s, packages.size(), bytes);
    print("Sekisho: inspection + scan", whole_s, packages.size(), bytes);
    print("clamdscan --stream, same files, same clamd", bare_s, packages.size(), bytes);
    std::printf("ratio Sekisho / clamdscan: %.2f (goal: at most 1.25)\n", whole_s / bare_s);
    return 0;
}

#include "adapters/clamd/package_scan.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace sekisho::clamd {
namespace {

constexpr std::string_view kPackageName = "(package)";
constexpr std::size_t kParallelScans = 4;

ScanOutcome unavailable(Unavailable reason, std::string detail) {
    ScanOutcome o;
    o.status = ScanOutcome::Status::unavailable;
    o.reason = reason;
    o.detail = std::move(detail);
    return o;
}

bool ends_scanning(Unavailable reason) {
    return reason == Unavailable::unreachable || reason == Unavailable::timeout;
}

struct SignatureCheck {
    std::optional<ScanOutcome> problem;  // nullopt when the signatures may be trusted
    std::optional<ScannerInfo> scanner;
};

// VERSION and freshness.
SignatureCheck check_signatures(const Client& client, const SignaturePolicy& policy,
                                SystemTime now) {
    SignatureCheck c;
    std::string reply;
    try {
        reply = client.version();
    } catch (const ClamdError& e) {
        c.problem = unavailable(e.reason(), e.what());
        return c;
    }
    c.scanner = ScannerInfo{reply, std::nullopt, now};
    const auto version = parse_version(reply);
    if (!version) {
        c.problem = unavailable(Unavailable::error, "clamd " + client.address().describe() +
                                                        ": VERSION answered " + reply);
        return c;
    }
    const Freshness f = check_freshness(*version, policy.database_dir, policy.max_age, now);
    c.scanner->signatures_dated = f.dated;
    if (!f.fresh)
        c.problem = unavailable(Unavailable::stale_signatures, f.reason);
    return c;
}

// Every entry and then the package, kParallelScans streams at a time: clamd scans each
// stream on its own thread, so a package's streams need not wait for one another. The
// results come back in order; a FOUND anywhere still wins over any failure.
std::vector<ScanResult> scan_all(const Client& client, std::string_view package,
                                 std::span<const Entry> entries) {
    const std::size_t n = entries.size() + 1;
    std::vector<ScanResult> results(n);
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        for (std::size_t i = next++; i < n; i = next++)
            results[i] = client.scan(i == entries.size() ? package : entries[i].bytes);
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < std::min(kParallelScans, n); ++t)
        helpers.emplace_back(work);
    work();
    for (auto& h : helpers)
        h.join();
    return results;
}

// The first FOUND in entry order, else the first failure, else clean.
ScanOutcome judge(const std::vector<ScanResult>& results, std::span<const Entry> entries,
                  std::optional<ScanOutcome> failure) {
    for (std::size_t i = 0; i < results.size(); ++i) {
        const bool is_package = i == entries.size();
        const ScanResult& r = results[i];
        if (r.status == ScanResult::Status::found) {
            ScanOutcome o;
            o.status = ScanOutcome::Status::infected;
            o.signature = r.signature;
            o.entry_index = is_package ? std::nullopt : std::optional<std::size_t>(i);
            o.entry_name = is_package ? std::string(kPackageName) : printable(entries[i].name);
            return o;
        }
        if (r.status == ScanResult::Status::unavailable && !failure) {
            const std::string where =
                is_package ? std::string(kPackageName) : "entry " + std::to_string(i);
            failure = unavailable(r.reason, where + ": " + r.detail);
        }
    }
    if (failure)
        return *failure;
    ScanOutcome clean;
    clean.status = ScanOutcome::Status::clean;
    return clean;
}

}  // namespace

std::string_view to_string(ScanOutcome::Status status) {
    switch (status) {
        case ScanOutcome::Status::clean:
            return "clean";
        case ScanOutcome::Status::infected:
            return "infected";
        case ScanOutcome::Status::unavailable:
            break;
    }
    return "unavailable";
}

ScanOutcome scan_package(const Client& client, const SignaturePolicy& policy,
                         std::string_view package, std::span<const Entry> entries, SystemTime now) {
    SignatureCheck check = check_signatures(client, policy, now);
    if (check.problem && ends_scanning(check.problem->reason)) {
        check.problem->scanner = std::move(check.scanner);
        return *check.problem;
    }
    ScanOutcome o = judge(scan_all(client, package, entries), entries, std::move(check.problem));
    o.scanner = std::move(check.scanner);
    return o;
}

}  // namespace sekisho::clamd

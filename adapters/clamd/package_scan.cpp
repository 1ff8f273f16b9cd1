#include "adapters/clamd/package_scan.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "adapters/clamd/scan_bundle.hpp"

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

// A canary that clamd answers but does not report FOUND only means that bundles are not
// used: every stream is then scanned on its own, as complete but slower.
ScanResult scan_canary(const Client& client) {
    static const std::string canary = archive_canary();
    return client.scan(canary);
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

bool bundle_fits(const Client& client, const ScannerCheck& check, std::string_view package,
                 std::span<const Entry> entries) {
    if (!check.scanner || !check.scanner->scans_archives)
        return false;
    const std::uint64_t size = bundle_size(package, entries);
    return size <= kMaxBundle && size <= client.max_stream();
}

// The outcome of one bundle, or nullopt when each file must be sent on its own (a failure
// that separate streams may not meet: the bundle's size, say).
std::optional<ScanOutcome> scan_bundled(const Client& client, std::string_view package,
                                        std::span<const Entry> entries,
                                        const std::optional<ScanOutcome>& failure) {
    const ScanResult r = client.scan(make_bundle(package, entries));
    switch (r.status) {
        case ScanResult::Status::clean: {
            if (failure)
                return failure;
            ScanOutcome clean;
            clean.status = ScanOutcome::Status::clean;
            return clean;
        }
        case ScanResult::Status::found: {
            // Each file on its own names the entry. A FOUND is never let go: should no
            // single file match again, the package carries the bundle's finding.
            ScanOutcome o = judge(scan_all(client, package, entries), entries, std::nullopt);
            if (o.status != ScanOutcome::Status::infected) {
                o = ScanOutcome{};
                o.status = ScanOutcome::Status::infected;
                o.signature = r.signature;
                o.entry_name = std::string(kPackageName);
            }
            return o;
        }
        case ScanResult::Status::unavailable:
            break;
    }
    if (ends_scanning(r.reason))
        return unavailable(r.reason, "bundle: " + r.detail);
    return std::nullopt;
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

ScannerCheck check_scanner(const Client& client, const SignaturePolicy& policy, SystemTime now) {
    ScannerCheck c;
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
    const ScanResult canary = scan_canary(client);
    // No answer says nothing about archives: the check counts as unanswered.
    if (canary.status == ScanResult::Status::unavailable && ends_scanning(canary.reason))
        c.problem = unavailable(canary.reason, "archive check: " + canary.detail);
    c.scanner->scans_archives = canary.status == ScanResult::Status::found;
    return c;
}

ScanOutcome scan_checked(const Client& client, const ScannerCheck& check, std::string_view package,
                         std::span<const Entry> entries) {
    const auto outcome = [&] {
        if (check.problem && ends_scanning(check.problem->reason))
            return *check.problem;
        if (bundle_fits(client, check, package, entries)) {
            if (auto o = scan_bundled(client, package, entries, check.problem))
                return *o;
        }
        return judge(scan_all(client, package, entries), entries, check.problem);
    };
    ScanOutcome o = outcome();
    o.scanner = check.scanner;
    return o;
}

ScanOutcome scan_package(const Client& client, const SignaturePolicy& policy,
                         std::string_view package, std::span<const Entry> entries, SystemTime now) {
    return scan_checked(client, check_scanner(client, policy, now), package, entries);
}

PackageScanner::PackageScanner(Client client, SignaturePolicy policy,
                               std::chrono::milliseconds recheck)
    : client_(std::move(client)), policy_(std::move(policy)), recheck_(recheck) {}

ScannerCheck PackageScanner::current_check(SystemTime now) {
    std::lock_guard lock(mutex_);
    // A kept check always has its scanner: one without a VERSION answer is not kept.
    const bool fresh =
        check_ && now >= check_->scanner->checked && now - check_->scanner->checked < recheck_;
    if (fresh)
        return *check_;
    ScannerCheck c = check_scanner(client_, policy_, now);
    // No answer is not kept: the next package asks again.
    if (c.problem && ends_scanning(c.problem->reason)) {
        check_.reset();
    } else {
        check_ = c;
    }
    return c;
}

ScanOutcome PackageScanner::scan(std::string_view package, std::span<const Entry> entries,
                                 SystemTime now) {
    ScanOutcome o = scan_checked(client_, current_check(now), package, entries);
    if (o.status == ScanOutcome::Status::unavailable && ends_scanning(o.reason)) {
        std::lock_guard lock(mutex_);
        check_.reset();
    }
    return o;
}

}  // namespace sekisho::clamd

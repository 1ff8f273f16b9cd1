#pragma once
// Scanning a whole filing: every entry and the package itself, with fresh signatures.
//
// The outcome is `clean` only when clamd answered exactly "stream: OK" for every stream
// and the signatures are fresh. `infected` is a verdict (the item is rejected with
// E-MALWARE) and is only given when clamd actually reported FOUND. `unavailable` is never
// a verdict: the item stays in `scanning` and is retried with back-off, never released
// and never rejected because of it.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "adapters/clamd/client.hpp"
#include "adapters/clamd/error.hpp"
#include "adapters/clamd/freshness.hpp"

namespace sekisho::clamd {

// One file of the package, as the inspector extracted it. The bytes must outlive the scan.
struct Entry {
    std::string name;
    std::string_view bytes;
};

struct SignaturePolicy {
    std::filesystem::path database_dir = "/var/lib/clamav";
    std::chrono::milliseconds max_age = std::chrono::hours(72);
};

// What the VERSION and freshness check found, for the operator's status and metrics.
struct ScannerInfo {
    std::string version;                         // the VERSION reply, printable
    std::optional<SystemTime> signatures_dated;  // as check_freshness dated them
    SystemTime checked;                          // when the check ran
    // clamd found the EICAR test file inside a tar archive (archive_canary()): a filing
    // may then go to it as one bundle (scan_bundle.hpp). When not, each entry and the
    // package are sent as streams of their own, as complete but slower.
    bool scans_archives = false;
};

struct ScanOutcome {
    enum class Status { clean, infected, unavailable };
    Status status = Status::unavailable;
    // infected: the signature name (printable ASCII, bounded) and where it was found:
    // the entry's index and name, or no index and "(package)" for the package itself.
    std::string signature;
    std::optional<std::size_t> entry_index;
    std::string entry_name;
    // unavailable: the first reason met and what failed (socket and step, never bytes).
    Unavailable reason = Unavailable::error;
    std::string detail;
    // Whatever the status: set when clamd answered VERSION, unset when it did not.
    std::optional<ScannerInfo> scanner;
};

// "clean", "infected", "unavailable".
std::string_view to_string(ScanOutcome::Status status);

// What the scanner check found: VERSION, freshness and the archive canary.
struct ScannerCheck {
    std::optional<ScanOutcome> problem;  // nullopt when the signatures may be trusted
    std::optional<ScannerInfo> scanner;  // nullopt when VERSION got no answer
};

// Asks VERSION, checks freshness and, when clamd answered, whether it scans inside archives.
ScannerCheck check_scanner(const Client& client, const SignaturePolicy& policy, SystemTime now);

// Scans the package and every entry after `check`: an unreachable or silent clamd ends the
// scan there. When clamd scans archives and the bundle is small enough (kMaxBundle and the
// client's max_stream), the package and the entries go as one bundle; otherwise, and to
// name the entry when the bundle is FOUND, each is a stream of its own, up to four at once.
// The first FOUND in entry order (the package last, so a finding inside an entry names that
// entry) makes the item infected, even if another stream failed; otherwise the first
// failure makes it unavailable.
ScanOutcome scan_checked(const Client& client, const ScannerCheck& check, std::string_view package,
                         std::span<const Entry> entries);

// check_scanner, then scan_checked.
ScanOutcome scan_package(const Client& client, const SignaturePolicy& policy,
                         std::string_view package, std::span<const Entry> entries,
                         SystemTime now = std::chrono::system_clock::now());

// scan_package for the pipeline's threads: the scanner check is kept for `recheck` (it
// changes in hours: signatures are updated a few times a day), and asked again at once
// after a scan found clamd unreachable or silent. Safe to call from several threads.
class PackageScanner {
  public:
    PackageScanner(Client client, SignaturePolicy policy,
                   std::chrono::milliseconds recheck = std::chrono::seconds(10));

    ScanOutcome scan(std::string_view package, std::span<const Entry> entries,
                     SystemTime now = std::chrono::system_clock::now());

  private:
    ScannerCheck current_check(SystemTime now);

    Client client_;
    SignaturePolicy policy_;
    std::chrono::milliseconds recheck_;
    std::mutex mutex_;
    std::optional<ScannerCheck> check_;
};

}  // namespace sekisho::clamd

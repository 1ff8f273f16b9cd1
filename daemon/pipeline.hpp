#pragma once
// The pipeline from a fetched item to a staged or rejected one (DESIGN.md, states):
//   fetched → inspecting → scanning → staged, or → rejected with a `returned` notice.
// It runs on threads of its own, because an inspection or a scan may take seconds and the
// daemon's event loop must keep serving: `[inspect] workers` lanes, each taking one item
// at a time through inspection and scan, never an item another lane holds. Failures fail closed: a
// worker that yields no verdict puts the item on hold for an operator; a scanner that is unusable
// leaves the item in scanning, retried with back-off; neither ever lets an item through.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/backoff.hpp"
#include "common/metrics_file.hpp"
#include "config/settings.hpp"
#include "daemon/inspect/options.hpp"
#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"
#include "queue/queue.hpp"

namespace sekisho::daemon {

// What the sandboxed inspector answered: a verdict with the inflated entries, or why
// there is none (crash, time limit, memory limit, garbage).
struct InspectResult {
    std::optional<inspect::Verdict> verdict;
    std::vector<inspect::Entry> entries;
    // 様式コード the filing carries; for a 中間サーバー file its kind (the `[release] auto`
    // policy names these).
    std::vector<std::string> forms;
    std::string failure;
    std::vector<std::string> flags;  // e.g. "honnin-multiple-matches:2", into the manifest
};
using InspectFn = std::function<InspectResult(std::string_view zip, const inspect::Options&)>;
// A 中間サーバー file (result or submitted request) of the item's kind.
using ChukanInspectFn = std::function<InspectResult(std::string_view file, std::string_view kind)>;

enum class ScanStatus { clean, infected, unavailable };
struct ScanResult {
    ScanStatus status = ScanStatus::unavailable;
    std::string where;   // infected: the entry (or "package")
    std::string detail;  // infected: the signature name; unavailable: why
    // Set whenever clamd answered VERSION (whatever the status): its reply, how old its
    // signatures are (unset if undated) and when that was asked.
    std::string scanner_version;
    std::optional<std::chrono::system_clock::time_point> signatures_dated;
    std::optional<std::chrono::system_clock::time_point> scanner_checked;
    bool scans_archives = false;  // clamd found the canary inside an archive
};
using ScanFn =
    std::function<ScanResult(std::string_view zip, const std::vector<inspect::Entry>& entries)>;

struct PipelineCounters {
    std::int64_t accepted = 0;       // inspected and scanned clean: staged
    std::int64_t rejected = 0;       // by inspection or by the scanner
    std::int64_t held = 0;           // no verdict could be had
    std::int64_t auto_released = 0;  // released by the [release] auto policy
    std::int64_t scan_retries = 0;   // scans that found the scanner unusable
    std::int64_t scans_clean = 0;
    std::int64_t scans_infected = 0;
    bool scanner_available = true;
    std::string scanner_problem;       // last reason the scanner was unusable
    DurationSummary inspect_duration;  // per worker round trip, whatever it answered
    DurationSummary scan_duration;     // per scan of an item, unavailable ones included
    // From the last VERSION check (kept while clamd cannot be asked): see ScanResult.
    std::string scanner_version;
    std::optional<std::chrono::system_clock::time_point> signatures_dated;
    std::optional<std::chrono::system_clock::time_point> scanner_checked;
    std::optional<bool> scans_archives;
};

struct PipelineTiming {
    std::chrono::milliseconds scan_retry_base{5'000};   // first wait for an unusable scanner
    std::chrono::milliseconds scan_retry_max{600'000};  // longest wait between scan attempts
    std::chrono::milliseconds idle_wait{30'000};        // look for work at least this often
};

class Pipeline {
  public:
    Pipeline(queue::Queue& queue, config::InspectSettings inspect, InspectFn inspect_fn,
             ScanFn scan_fn, PipelineTiming timing = {});
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    void start();
    // Finishes the items at hand (bounded by the worker's and the scanner's time limits)
    // and joins the lanes.
    void stop();
    // New items may be waiting (called after a poll cycle).
    void wake();
    // Options from inspect::options_from_settings: the trust anchors and CRLs are read
    // once per start or reload, not for every item.
    void reconfigure(inspect::Options options);
    // Items of a 中間サーバー kind are inspected by this one (without it they are held).
    void inspect_chukan_with(ChukanInspectFn fn);
    // The `[release] auto` policy: clean items of these sources whose every form (for a
    // 中間サーバー file: its kind) is listed are released without a person. Empty (the
    // default): none. A flagged item (several 本人確認 matches) always waits for a person.
    void set_auto_release(std::vector<config::AutoRelease> policy);
    PipelineCounters counters() const;

  private:
    void run();
    bool work_once();
    // Takes the item for this lane unless another lane holds it.
    bool claim(const queue::ItemId& id);
    void release_claim(const queue::ItemId& id);
    // work_once on a claimed item.
    bool take(const queue::ItemInfo& item, bool start_inspection);
    std::optional<std::chrono::steady_clock::time_point> next_retry() const;
    void inspect_item(const queue::ItemInfo& item);
    // The verdict for the item's bytes by its kind; nullopt when the item was held instead.
    std::optional<InspectResult> inspect_payload(const queue::ItemInfo& item,
                                                 const std::string& bytes);
    InspectResult timed(const std::function<InspectResult()>& inspection);
    ScanResult run_scan(const std::string& zip, const std::vector<inspect::Entry>& entries);
    void count_scan(const ScanResult& r, std::chrono::steady_clock::duration took);
    void scan_item(const queue::ItemInfo& item, const std::string& zip,
                   const InspectResult& inspection);
    void stage(const queue::ItemInfo& item, const InspectResult& inspection);
    bool auto_release_allows(const queue::ItemInfo& item, const InspectResult& inspection) const;
    void on_verdict(const queue::ItemInfo& item, const InspectResult& result,
                    const std::string& zip);
    void hold(const queue::ItemInfo& item, const std::string& why);
    void reject(const queue::ItemInfo& item, const inspect::Verdict& verdict,
                std::string_view action);
    void scanner_unusable(const queue::ItemInfo& item, const std::string& why);
    std::optional<std::string> read_zip(const queue::ItemInfo& item);
    std::optional<inspect::Options> options_for(const queue::ItemInfo& item);

    queue::Queue& queue_;
    InspectFn inspect_fn_;
    ChukanInspectFn chukan_fn_;
    ScanFn scan_fn_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    inspect::Options options_;  // auth_method and now are set per item
    std::vector<config::AutoRelease> auto_release_;
    bool stop_ = false;
    std::uint64_t wakes_ = 0;          // each wake(), so that every lane sees it
    std::set<queue::ItemId> in_hand_;  // items a lane is working on
    PipelineCounters counters_;
    // Scans waiting for the scanner, by item; kept in memory: after a restart every
    // item in scanning is simply tried again.
    std::map<queue::ItemId, std::chrono::steady_clock::time_point> scan_due_;
    PipelineTiming timing_;
    Backoff scan_backoff_;
    std::size_t lanes_;
    std::vector<std::thread> threads_;
};

// The text of a `returned` notice: codes only, never anything from the package.
std::string returned_message(const inspect::Verdict& verdict);

}  // namespace sekisho::daemon

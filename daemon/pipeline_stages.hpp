#pragma once
// The real stages behind the pipeline: the sandboxed inspection workers and clamd.

#include "adapters/clamd/package_scan.hpp"
#include "config/settings.hpp"
#include "daemon/inspect/worker_pool.hpp"
#include "daemon/pipeline.hpp"

namespace sekisho::daemon {

// The sandboxed workers both inspectors share, `[inspect] workers` of them (one per
// pipeline lane); each started on its first request and again after any failure; their
// number and limits are fixed at start-up (a reload does not change them).
std::shared_ptr<inspect::WorkerPool> make_workers(const config::Settings& settings);
InspectFn make_inspect_fn(std::shared_ptr<inspect::WorkerPool> workers);
ChukanInspectFn make_chukan_inspect_fn(std::shared_ptr<inspect::WorkerPool> workers);
// One clamd client for every lane; the scanner check (VERSION, signature age, archives)
// is shared and asked again every 10 seconds (clamd::PackageScanner).
ScanFn make_scan_fn(const config::ClamdSettings& clamd);
// What the pipeline needs of clamd's outcome.
ScanResult to_scan_result(const clamd::ScanOutcome& out);

}  // namespace sekisho::daemon

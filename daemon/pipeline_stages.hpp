#pragma once
// The real stages behind the pipeline: the sandboxed inspection worker and clamd.

#include "adapters/clamd/package_scan.hpp"
#include "config/settings.hpp"
#include "daemon/inspect/worker_client.hpp"
#include "daemon/pipeline.hpp"

namespace sekisho::daemon {

// The sandboxed worker both inspectors share; started on the first request and again after
// any failure; its limits are fixed at start-up (a reload does not change them).
std::shared_ptr<inspect::InspectWorker> make_worker(const config::Settings& settings);
InspectFn make_inspect_fn(std::shared_ptr<inspect::InspectWorker> worker);
ChukanInspectFn make_chukan_inspect_fn(std::shared_ptr<inspect::InspectWorker> worker);
ScanFn make_scan_fn(const config::ClamdSettings& clamd);
// What the pipeline needs of clamd's outcome.
ScanResult to_scan_result(const clamd::ScanOutcome& out);

}  // namespace sekisho::daemon

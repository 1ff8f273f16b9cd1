#pragma once
// The real stages behind the pipeline: the sandboxed inspection worker and clamd.

#include "adapters/clamd/package_scan.hpp"
#include "config/settings.hpp"
#include "daemon/pipeline.hpp"

namespace sekisho::daemon {

InspectFn make_inspect_fn(const config::Settings& settings);
ScanFn make_scan_fn(const config::ClamdSettings& clamd);
// What the pipeline needs of clamd's outcome.
ScanResult to_scan_result(const clamd::ScanOutcome& out);

}  // namespace sekisho::daemon

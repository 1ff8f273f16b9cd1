#pragma once
// The real stages behind the pipeline: the sandboxed inspection worker and clamd.

#include "config/settings.hpp"
#include "daemon/pipeline.hpp"

namespace sekisho::daemon {

InspectFn make_inspect_fn(const config::Settings& settings);
ScanFn make_scan_fn(const config::ClamdSettings& clamd);

}  // namespace sekisho::daemon

#pragma once
// The receiver's counters in the Prometheus text format (the daemon's metrics-file
// mechanism), so that lost and corrupt transfers show up where operators look.

#include "adapters/oneway/receiver.hpp"
#include "common/metrics_file.hpp"

namespace sekisho::oneway {

MetricsText receiver_metrics(const ReceiverCounters& c);

}  // namespace sekisho::oneway

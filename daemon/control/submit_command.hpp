#pragma once
// `sekishoctl submit --kind KIND FILE`: a request file for the 中間サーバー, by an operator.
// The client passes the open file with the request (SCM_RIGHTS), so the daemon reads what
// that person may read and never opens a path it was given. The file is sealed in the
// queue as an item of source "operator" (audited with the operator's uid), then inspected
// by the same sandboxed worker, scanned, and released like any item (two-person rule
// included); the 中間サーバー source uploads it once released.

#include <boost/json/object.hpp>

#include "common/unique_fd.hpp"
#include "config/settings.hpp"
#include "daemon/control/daemon_view.hpp"
#include "daemon/control/server.hpp"
#include "queue/queue.hpp"

namespace sekisho::control {

// The largest request file taken (the inspector's limit for a 中間サーバー file), unless
// clamd.max_stream is smaller.
inline constexpr std::uint64_t kMaxSubmitBytes = 64ull << 20;

void run_submit(queue::Queue& q, DaemonView& view, const config::Settings& settings,
                const queue::Actor& actor, const boost::json::object& request, UniqueFd file,
                Replier& reply);

}  // namespace sekisho::control

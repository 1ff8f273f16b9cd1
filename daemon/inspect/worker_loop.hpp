#pragma once
// The inspection worker's request loop, shared by sekisho-inspect-worker and the tests'
// fake workers: read a request, inspect, answer, until the daemon closes the socket.

#include <functional>
#include <string_view>

#include "daemon/inspect/chukan_inspection.hpp"
#include "daemon/inspect/inspector.hpp"

namespace sekisho::inspect::worker {

using InspectFn = std::function<Inspection(std::string_view package, const Options& options)>;
using ChukanFn = std::function<ChukanInspection(
    std::string_view file, std::string_view expected_kind, const ChukanLimits& limits)>;

// What a worker inspects. Without `chukan`, a request for a 中間サーバー file is answered
// with WorkerFailure::bad_request (the tests' fake workers know only packages).
struct Inspectors {
    InspectFn package;
    ChukanFn chukan;
};

// Exit status when an allocation failed (RLIMIT_AS reached): the daemon reports it as
// "worker exceeded its memory limit".
inline constexpr int kExitOutOfMemory = 86;
// Exit status when the sandbox could not be applied or the request was unreadable.
inline constexpr int kExitSetupFailed = 87;

// Returns the process exit status: 0 after a clean end of stream, kExitSetupFailed after a
// protocol error. Never returns on an allocation failure (_exit(kExitOutOfMemory)).
int serve_requests(int fd, const Inspectors& inspectors);
int serve_requests(int fd, const InspectFn& inspect);

}  // namespace sekisho::inspect::worker

namespace sekisho::inspect::worker {

// The whole worker process: parses `--fd N` (the socket, default 3) and
// `--memory-limit BYTES`, runs `init` (library initialisation that may open files), applies
// the sandbox, then serves requests. Returns the exit status for _exit (no atexit handlers
// run in the sandbox: a leak checker would need ptrace).
int run_worker(int argc, char** argv, const std::function<void()>& init,
               const Inspectors& inspectors);
int run_worker(int argc, char** argv, const std::function<void()>& init, const InspectFn& inspect);

}  // namespace sekisho::inspect::worker

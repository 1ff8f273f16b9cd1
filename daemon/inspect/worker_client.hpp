#pragma once
// The daemon's side of the inspection worker: starts sekisho-inspect-worker with
// posix_spawn (fork+exec in one step: the daemon's memory holds keys, so it is never
// copied into a process that keeps running its code) with an empty environment, keeps it
// for many requests, and turns every way it can fail into a Failure with a fixed,
// non-personal reason. After a Failure the worker is gone; the next request starts a new
// one. The answer is untrusted: it is decoded within the limits of the request's options.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "daemon/inspect/chukan_inspection.hpp"
#include "daemon/inspect/inspector.hpp"

namespace sekisho::inspect {

inline constexpr const char* kWorkerProgramName = "sekisho-inspect-worker";

struct WorkerSettings {
    std::filesystem::path program;  // empty: find_worker_program()
    std::chrono::milliseconds timeout = std::chrono::seconds(60);
    std::uint64_t memory_limit = 1024ull * 1024 * 1024;  // address space beyond start-up
};

// The inspection did not happen; `reason` is fit for logs and operators.
struct Failure {
    std::string reason;
};

using WorkerResult = std::variant<Inspection, Failure>;
using ChukanResult = std::variant<ChukanInspection, Failure>;

// sekisho-inspect-worker next to the running program (the build tree's bin/), else the
// installed one in <libexecdir>/sekisho/. Throws std::runtime_error when neither exists.
std::filesystem::path find_worker_program();

class InspectWorker {
  public:
    explicit InspectWorker(WorkerSettings settings = {});
    ~InspectWorker();
    InspectWorker(const InspectWorker&) = delete;
    InspectWorker& operator=(const InspectWorker&) = delete;

    // One request at a time (calls are serialised).
    WorkerResult inspect(std::string_view package, const Options& options);
    // A 中間サーバー file (chukan_file.hpp) of the kind the server listed or the operator
    // submitted, by the same worker.
    ChukanResult inspect_chukan(std::string_view file, std::string_view expected_kind,
                                const ChukanLimits& limits);

    // The running worker's process id, or -1 (for tests and status).
    pid_t pid() const { return pid_.load(); }

  private:
    void start();
    // Starts the worker when none runs; the failure when it cannot be started.
    std::optional<Failure> ensure_started();
    // Takes an answer frame apart; returns the worker's own failure text when it answered
    // with one. Throws worker::ProtocolError when the frame does not decode.
    using Decode = std::function<std::optional<std::string>(std::string_view frame)>;
    // Sends one request and hands the answer to `decode`; the failure when there is none.
    std::optional<Failure> exchange(const std::string& message, std::size_t max_answer,
                                    const Decode& decode);
    // Ends the worker: waits up to `grace` for it to exit by itself (it may be dying of a
    // crash), then kills it.
    // Returns the reason its exit explains, or `otherwise` when it had to be killed.
    std::string stop(std::chrono::milliseconds grace, const std::string& otherwise);
    std::string describe_exit(int status) const;

    WorkerSettings settings_;
    std::mutex mutex_;
    std::atomic<pid_t> pid_{-1};
    int fd_ = -1;
};

}  // namespace sekisho::inspect

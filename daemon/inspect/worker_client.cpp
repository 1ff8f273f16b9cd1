#include "daemon/inspect/worker_client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "daemon/inspect/worker_loop.hpp"
#include "daemon/inspect/worker_protocol.hpp"

namespace sekisho::inspect {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

[[noreturn]] void fail(int err, const char* what) {
    throw std::system_error(err, std::generic_category(), what);
}

std::string duration_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0)
        return std::to_string(d.count() / 1000) + " s";
    return std::to_string(d.count()) + " ms";
}

class SpawnActions {
  public:
    SpawnActions() {
        if (const int rc = posix_spawn_file_actions_init(&actions_); rc != 0)
            fail(rc, "posix_spawn_file_actions_init");
    }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    // The socket becomes fd 3; stdin and stdout /dev/null; stderr stays the caller's.
    void set_up(int socket) {
        check(posix_spawn_file_actions_adddup2(&actions_, socket, 3));
        check(posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0));
        check(posix_spawn_file_actions_addopen(&actions_, 1, "/dev/null", O_WRONLY, 0));
        check(posix_spawn_file_actions_addclosefrom_np(&actions_, 4));
    }
    posix_spawn_file_actions_t* get() { return &actions_; }

  private:
    static void check(int rc) {
        if (rc != 0)
            fail(rc, "posix_spawn_file_actions");
    }
    posix_spawn_file_actions_t actions_;
};

// Default signal dispositions and an empty mask, whatever the daemon set for itself.
class SpawnAttributes {
  public:
    SpawnAttributes() {
        if (const int rc = posix_spawnattr_init(&attr_); rc != 0)
            fail(rc, "posix_spawnattr_init");
        sigset_t all;
        sigset_t none;
        sigfillset(&all);
        sigemptyset(&none);
        posix_spawnattr_setsigdefault(&attr_, &all);
        posix_spawnattr_setsigmask(&attr_, &none);
        posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    posix_spawnattr_t* get() { return &attr_; }

  private:
    posix_spawnattr_t attr_;
};

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

// A decoder for InspectWorker::exchange that keeps the worker's answer in `out`, or returns
// the text of the failure it answered with.
template <class Kept, class DecodeAnswer>
auto keeping(Kept& out, DecodeAnswer decode_answer) {
    return [&out, decode_answer](std::string_view frame) -> std::optional<std::string> {
        auto answer = decode_answer(frame);
        if (const auto* f = std::get_if<worker::WorkerFailure>(&answer))
            return std::string(worker::describe(*f));
        out = std::get<Kept>(std::move(answer));
        return std::nullopt;
    };
}

}  // namespace

fs::path find_worker_program() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path beside = self.parent_path() / kWorkerProgramName;
        if (::access(beside.c_str(), X_OK) == 0)
            return beside;
    }
    const fs::path installed = fs::path(SEKISHO_LIBEXEC_DIR) / kWorkerProgramName;
    if (::access(installed.c_str(), X_OK) == 0)
        return installed;
    throw std::runtime_error(std::string(kWorkerProgramName) + " not found next to " +
                             self.string() + " nor in " + SEKISHO_LIBEXEC_DIR);
}

InspectWorker::InspectWorker(WorkerSettings settings) : settings_(std::move(settings)) {}

InspectWorker::~InspectWorker() {
    if (fd_ >= 0)
        ::close(std::exchange(fd_, -1));  // a worker that reads the end of stream exits
    if (pid_ > 0)
        stop(1s, "");
}

void InspectWorker::start() {
    const fs::path program = settings_.program.empty() ? find_worker_program() : settings_.program;
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        fail(errno, "socketpair");
    Fd ours{pair[0]};
    Fd theirs{pair[1]};
    SpawnActions actions;
    actions.set_up(theirs.fd);
    SpawnAttributes attributes;
    const std::string limit = std::to_string(settings_.memory_limit);
    std::vector<std::string> args{program.string(), "--fd", "3", "--memory-limit", limit};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    char* envp[] = {nullptr};
    pid_t pid = -1;
    if (const int rc = ::posix_spawn(&pid, program.c_str(), actions.get(), attributes.get(),
                                     argv.data(), envp);
        rc != 0)
        fail(rc, "cannot start the inspection worker");
    if (::fcntl(ours.fd, F_SETFL, O_NONBLOCK) != 0) {
        const int err = errno;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        fail(err, "fcntl");
    }
    fd_ = std::exchange(ours.fd, -1);
    pid_ = pid;
}

std::string InspectWorker::describe_exit(int status) const {
    if (WIFSIGNALED(status))
        return "inspection worker crashed (signal " + std::to_string(WTERMSIG(status)) + ")";
    const int code = WEXITSTATUS(status);
    if (code == worker::kExitOutOfMemory) {
        return "worker exceeded its memory limit (" +
               std::to_string(settings_.memory_limit / (1024 * 1024)) + " MiB)";
    }
    if (code == worker::kExitSetupFailed)
        return "inspection worker could not start (sandbox or arguments)";
    return "inspection worker exited unexpectedly (status " + std::to_string(code) + ")";
}

std::string InspectWorker::stop(std::chrono::milliseconds grace, const std::string& otherwise) {
    const pid_t pid = pid_.exchange(-1);
    // The socket stays open while waiting: a worker that sees it close exits with 0 and
    // would hide why it really stopped.
    const Fd socket{std::exchange(fd_, -1)};
    if (pid <= 0)
        return otherwise;
    const auto until = std::chrono::steady_clock::now() + grace;
    int status = 0;
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return describe_exit(status);
        if (r < 0 && errno != EINTR)
            return otherwise;
        if (std::chrono::steady_clock::now() >= until)
            break;
        std::this_thread::sleep_for(5ms);
    }
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return otherwise;
}

std::optional<Failure> InspectWorker::ensure_started() {
    if (pid_ > 0)
        return std::nullopt;
    try {
        start();
    } catch (const std::exception& e) {
        return Failure{std::string("inspection worker could not be started: ") + e.what()};
    }
    return std::nullopt;
}

WorkerResult InspectWorker::inspect(std::string_view package, const Options& options) {
    std::lock_guard lock(mutex_);
    if (auto failed = ensure_started())
        return *failed;
    const std::string message = worker::encode_request({options, std::string(package)});
    if (message.size() > worker::kMaxRequestFrame)
        return Failure{"package too large for the inspection worker"};
    Inspection out;
    const auto failed = exchange(message, worker::max_answer_frame(options),
                                 keeping(out, [&](std::string_view frame) {
                                     return worker::decode_answer(frame, options);
                                 }));
    if (failed)
        return *failed;
    return out;
}

ChukanResult InspectWorker::inspect_chukan(std::string_view file, std::string_view expected_kind,
                                           const ChukanLimits& limits) {
    std::lock_guard lock(mutex_);
    if (auto failed = ensure_started())
        return *failed;
    const std::string message = worker::encode_chukan_request(
        {limits, std::string(expected_kind.substr(0, worker::kMaxChukanKind)), std::string(file)});
    if (message.size() > worker::kMaxRequestFrame)
        return Failure{"file too large for the inspection worker"};
    ChukanInspection out;
    const auto failed = exchange(message, worker::max_chukan_answer_frame(),
                                 keeping(out, [&](std::string_view frame) {
                                     return worker::decode_chukan_answer(frame, limits);
                                 }));
    if (failed)
        return *failed;
    return out;
}

std::optional<Failure> InspectWorker::exchange(const std::string& message, std::size_t max_answer,
                                               const Decode& decode) {
    const auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
    const std::string died = "inspection worker closed the connection";
    try {
        worker::write_frame(fd_, message, deadline);
        auto frame = worker::read_frame(fd_, max_answer, deadline);
        if (!frame)
            return Failure{stop(1s, died)};
        if (auto said = decode(*frame))
            return Failure{stop(0ms, *said)};
        return std::nullopt;
    } catch (const worker::TimeoutError&) {
        stop(0ms, "");
        return Failure{"inspection timed out after " + duration_text(settings_.timeout)};
    } catch (const worker::ProtocolError&) {
        // A frame cut short is usually a worker that died while answering.
        return Failure{stop(200ms, "inspection worker sent an invalid answer")};
    } catch (const std::system_error&) {
        return Failure{stop(1s, died)};
    }
}

}  // namespace sekisho::inspect

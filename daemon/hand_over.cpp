#include "daemon/hand_over.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "adapters/oneway/send_stream.hpp"
#include "common/log.hpp"
#include "common/time_format.hpp"

namespace sekisho::daemon {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIdleWait = std::chrono::seconds(1);
constexpr auto kMaxPause = std::chrono::seconds(60);
constexpr char kSenderName[] = "sekisho-send";

std::string describe_exit(int status) {
    if (WIFEXITED(status))
        return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

}  // namespace

std::filesystem::path find_sender_program() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = self.parent_path() / kSenderName;
        if (::access(beside.c_str(), X_OK) == 0)
            return beside;
    }
    const std::filesystem::path installed =
        std::filesystem::path(SEKISHO_BIN_DIR_INSTALLED) / kSenderName;
    if (::access(installed.c_str(), X_OK) == 0)
        return installed;
    throw std::runtime_error(std::string(kSenderName) + " not found next to " + self.string() +
                             " nor in " + SEKISHO_BIN_DIR_INSTALLED);
}

std::string hand_over_manifest(const queue::ItemInfo& item,
                               const std::optional<queue::ReleaseRecord>& release,
                               const std::optional<queue::OutboundRequest>& answers) {
    boost::json::object m;
    m["id"] = item.id.str();
    m["source"] = item.source;
    m["kind"] = item.kind;
    m["external_id"] = item.external_id;
    m["sha256"] = queue::to_hex(item.sha256);
    m["size"] = item.size;
    m["verdict"] = item.verdict.value_or("");
    m["scanned_clean"] = item.scanned_clean;
    boost::json::array flags;
    for (const auto& f : item.flags)
        flags.emplace_back(f);
    m["flags"] = std::move(flags);
    m["released_at"] = rfc3339_utc(item.state_since_ms);
    // The release record (DESIGN.md): who released it, and who approved under the
    // two-person rule. Staff account names, nothing about the filer.
    if (release) {
        boost::json::object r{{"released_by", release->requested_by}};
        if (!release->approved_by.empty()) {
            r["approved_by"] = release->approved_by;
            r["approved_at"] = rfc3339_utc(release->approved_ms.value_or(0));
        }
        m["release"] = std::move(r);
    }
    if (answers) {
        m["request"] = boost::json::object{{"id", answers->item.str()},
                                           {"client_request_id", answers->client_request_id},
                                           {"request_id", answers->request_id},
                                           {"kind", answers->kind}};
    }
    return boost::json::serialize(m);
}

HandOver::HandOver(queue::Queue& queue, std::filesystem::path config_file,
                   std::filesystem::path program)
    : queue_(queue), config_file_(std::move(config_file)), program_(std::move(program)) {}

HandOver::~HandOver() {
    stop();
}

void HandOver::start() {
    thread_ = std::thread([this] { run(); });
}

void HandOver::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        // A read of the sender's answer may be waiting: ending the sender ends it.
        if (pid_ > 0)
            ::kill(pid_, SIGTERM);
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
    end_sender();
}

void HandOver::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void HandOver::restart_sender() {
    {
        std::lock_guard lock(mutex_);
        restart_requested_ = true;
    }
    wake_.notify_all();
}

HandOverCounters HandOver::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

void HandOver::run() {
    for (;;) {
        bool worked = false;
        try {
            maintain_sender();
            worked = send_next();
            failures_in_a_row_ = 0;
        } catch (const std::exception& e) {
            failed(e.what());
        }
        std::unique_lock lock(mutex_);
        if (stop_)
            return;
        if (worked)
            continue;
        auto pause = std::chrono::duration_cast<Clock::duration>(kIdleWait);
        for (int i = 0; i < failures_in_a_row_ && pause < kMaxPause; ++i)
            pause *= 2;
        wake_.wait_for(lock, std::min<Clock::duration>(pause, kMaxPause),
                       [this] { return stop_ || woken_; });
        woken_ = false;
    }
}

// Between items: a restart asked for by a reload (the sender reads the configuration at
// start), a sender that died while idle, or none yet: one is started, so that its
// heartbeats tell the receiver the link is alive even with nothing to send.
void HandOver::maintain_sender() {
    bool restart = false;
    {
        std::lock_guard lock(mutex_);
        if (stop_)
            return;
        restart = std::exchange(restart_requested_, false);
    }
    if (restart && pid_ > 0) {
        end_sender();
        log::info("one-way sender restarted to read the new configuration");
    }
    if (pid_ > 0) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            forget_sender();
            throw std::runtime_error("sekisho-send ended by itself (" + describe_exit(status) +
                                     ")");
        }
        return;
    }
    spawn_sender();
}

void HandOver::failed(const std::string& why) {
    ++failures_in_a_row_;
    end_sender();
    std::lock_guard lock(mutex_);
    if (stop_)
        return;
    ++counters_.sender_failures;
    counters_.last_problem = why;
    log::error("one-way hand-over failed; released items wait and are sent again",
               {{"reason", why}});
}

bool HandOver::send_next() {
    std::optional<queue::ItemInfo> next;
    for (const auto source : kCoreBoundSources) {
        const auto items = queue_.list(queue::State::released, std::string(source), 1);
        if (!items.empty() && (!next || items.front().id < next->id))
            next = items.front();
    }
    if (!next)
        return false;
    const auto& item = *next;
    std::string bytes;
    bytes.reserve(item.size);
    queue_.read_payload(item.id, [&](queue::ByteView chunk) {
        bytes.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    });
    if (pid_ <= 0)
        spawn_sender();
    if (pid_ <= 0)
        return false;  // stopping
    const auto handed = Clock::now();
    const auto manifest = hand_over_manifest(item, queue_.release_record(item.id),
                                             queue_.request_answered_by(item.id));
    oneway::write_item_frame(to_sender_, manifest,
                             {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    const auto answer = oneway::read_sent_answer(from_sender_);
    const auto took = Clock::now() - handed;
    if (!answer)
        throw std::runtime_error("sekisho-send ended before the item was sent");
    if (oneway::to_string(answer->id) != item.id.str())
        throw std::runtime_error("sekisho-send answered for another item");
    queue_.transition(item.id, {.to = queue::State::sent,
                                .action = "sent over the one-way link",
                                .details = {{"transfer_number", std::to_string(answer->number)}}});
    log::notice(
        "item sent to the core system",
        {{"item", item.id.str()}, {"bytes", item.size}, {"transfer_number", answer->number}});
    count_sent(*answer, took);
    return true;
}

// The sender reports its process's totals; only what grew since its last answer is new.
void HandOver::count_sent(const oneway::SentAnswer& answer, Clock::duration took) {
    std::lock_guard lock(mutex_);
    ++counters_.sent;
    counters_.send_duration.observe(took);
    counters_.datagrams += answer.datagrams - std::min(answer.datagrams, process_datagrams_);
    counters_.bytes += answer.bytes - std::min(answer.bytes, process_bytes_);
    counters_.refused += answer.refused - std::min(answer.refused, process_refused_);
    process_datagrams_ = answer.datagrams;
    process_bytes_ = answer.bytes;
    process_refused_ = answer.refused;
}

void HandOver::spawn_sender() {
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe for sekisho-send");
    if (::pipe2(out, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        throw std::system_error(errno, std::generic_category(), "pipe for sekisho-send");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    std::vector<std::string> args{program_.string(), "-c", config_file_.string(), "--from-daemon"};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    // Only what it needs: where systemd put the credentials, and where the journal is.
    std::vector<std::string> env_strings;
    for (const char* name : {"CREDENTIALS_DIRECTORY", "JOURNAL_STREAM"}) {
        if (const char* v = std::getenv(name))
            env_strings.push_back(std::string(name) + "=" + v);
    }
    std::vector<char*> env;
    for (auto& e : env_strings)
        env.push_back(e.data());
    env.push_back(nullptr);
    {
        std::lock_guard lock(mutex_);
        if (stop_) {
            posix_spawn_file_actions_destroy(&fa);
            for (const int fd : {in[0], in[1], out[0], out[1]})
                ::close(fd);
            return;
        }
    }
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    if (rc != 0) {
        ::close(in[1]);
        ::close(out[0]);
        throw std::system_error(rc, std::generic_category(), "start " + program_.string());
    }
    std::lock_guard lock(mutex_);
    pid_ = pid;
    process_datagrams_ = process_bytes_ = process_refused_ = 0;
    to_sender_ = in[1];
    from_sender_ = out[0];
    counters_.sender_running = true;
    log::info("one-way sender started", {{"pid", pid}});
}

pid_t HandOver::forget_sender() {
    std::lock_guard lock(mutex_);
    const pid_t pid = pid_;
    if (to_sender_ >= 0)
        ::close(to_sender_);
    if (from_sender_ >= 0)
        ::close(from_sender_);
    to_sender_ = from_sender_ = -1;
    pid_ = -1;
    counters_.sender_running = false;
    return pid;
}

void HandOver::end_sender() {
    const pid_t pid = forget_sender();
    if (pid <= 0)
        return;
    // Its input closed, it sends a last heartbeat and exits; a hung one is killed.
    for (int i = 0; i < 50; ++i) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

}  // namespace sekisho::daemon

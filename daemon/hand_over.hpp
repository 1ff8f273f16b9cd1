#pragma once
// Released items to the core system: sekishod runs `sekisho-send --from-daemon` (which
// holds the link key and nothing else), hands it each released item's bytes and
// manifest, and marks the item `sent` once the sender says every repetition has left.
// The link has no way back, so `sent` means sent, not received; the receiving side names
// anything it lost. If the sender dies, it is started again after a pause and the items
// still `released` are sent again: the receiver takes each id only once.

#include <sys/types.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/metrics_file.hpp"
#include "queue/queue.hpp"

namespace sekisho::oneway {
struct SentAnswer;
}

namespace sekisho::daemon {

struct HandOverCounters {
    std::int64_t sent = 0;
    std::uint64_t datagrams = 0;  // by every sender process so far
    std::uint64_t bytes = 0;
    std::uint64_t refused = 0;  // datagrams the local network stack refused
    std::int64_t sender_failures = 0;
    // From handing an item to the sender to its answer that every repetition has left.
    DurationSummary send_duration;
    bool sender_running = false;
    std::string last_problem;
};

// sekisho-send next to the running program (the build tree), else the installed one.
std::filesystem::path find_sender_program();

// The manifest written next to the item in the core inbox (DESIGN.md): nothing personal.
// A 中間サーバー result that answers a submitted request names it under "request".
std::string hand_over_manifest(const queue::ItemInfo& item,
                               const std::optional<queue::ReleaseRecord>& release,
                               const std::optional<queue::OutboundRequest>& answers = {});

// Released items of these sources go to the core system; a submitted request file
// (source "operator") goes to the 中間サーバー instead.
inline constexpr std::array<std::string_view, 2> kCoreBoundSources{"mynaportal", "chukan"};

class HandOver {
  public:
    HandOver(queue::Queue& queue, std::filesystem::path config_file,
             std::filesystem::path program = find_sender_program());
    ~HandOver();
    HandOver(const HandOver&) = delete;
    HandOver& operator=(const HandOver&) = delete;

    void start();
    // Stops the sender (an item in flight stays `released` and goes again next start).
    void stop();
    void wake();
    // After a reload: between two items, the sender is ended (its input closed) and
    // started again, reading the new configuration.
    void restart_sender();
    HandOverCounters counters() const;

  private:
    void run();
    bool send_next();
    void count_sent(const oneway::SentAnswer& answer, std::chrono::steady_clock::duration took);
    void maintain_sender();
    void spawn_sender();
    void end_sender();
    pid_t forget_sender();  // closes the pipes; returns the pid to reap
    void failed(const std::string& why);

    queue::Queue& queue_;
    std::filesystem::path config_file_;
    std::filesystem::path program_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    bool woken_ = false;
    bool restart_requested_ = false;
    pid_t pid_ = -1;
    int to_sender_ = -1;
    int from_sender_ = -1;
    int failures_in_a_row_ = 0;
    std::uint64_t process_datagrams_ = 0;  // the running sender's totals already counted
    std::uint64_t process_bytes_ = 0;
    std::uint64_t process_refused_ = 0;
    HandOverCounters counters_;
    std::thread thread_;
};

}  // namespace sekisho::daemon

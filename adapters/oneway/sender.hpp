#pragma once
// The sending half of PROTOCOL.md: cuts a transfer into FEC groups, sends each
// repetition interleaved with its repeated header, rate-limited, and heartbeats with the
// history of ended transfers. Its socket is never read: nothing on the link can reach
// it, and it needs nothing back.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "adapters/oneway/datagram_crypto.hpp"
#include "adapters/oneway/reed_solomon.hpp"
#include "adapters/oneway/token_bucket.hpp"
#include "adapters/oneway/wire.hpp"

namespace sekisho::oneway {

struct SenderOptions {
    std::string destination;  // host:port
    std::uint64_t rate_bps = 100'000'000;
    int fec_data = 32;
    int fec_parity = 8;
    int repeat = 2;
    std::uint16_t shard_size = kMaxShardSize;
    std::string name;  // the sender's identity in heartbeats (host name by default)
    std::chrono::milliseconds heartbeat_interval{1000};
};

struct SenderCounters {
    std::uint64_t datagrams = 0;
    std::uint64_t bytes = 0;  // UDP payload bytes
    std::uint64_t transfers = 0;
    std::uint64_t heartbeats = 0;
    std::uint64_t send_errors = 0;
};

struct Outgoing {
    TransferId id{};
    std::string manifest;  // JSON, at most kMaxManifest bytes, nothing personal
    ByteView bytes;
    // The SHA-256 of `bytes` when the caller has it already (computed otherwise). A wrong
    // one costs the transfer — the receiver refuses it as corrupt — never more.
    std::optional<std::array<std::uint8_t, 32>> sha256;
};

// One sender per state directory, held for the life of the process. Two senders at once
// would each start a session, and the receiver, taking the newer one, would drop the
// other's datagrams as replays: `--once` next to the daemon's sender is refused.
class SenderLock {
  public:
    explicit SenderLock(const std::filesystem::path& state_dir);
    ~SenderLock();
    SenderLock(const SenderLock&) = delete;
    SenderLock& operator=(const SenderLock&) = delete;

  private:
    int fd_ = -1;
};

// The session number of a new sender run: the time in microseconds, or one more than the
// last one recorded in `state_file` if the clock went back; recorded there when given.
std::uint64_t new_session_number(const std::optional<std::filesystem::path>& state_file);

class Sender {
  public:
    Sender(const config::SecretBytes& oneway_key, SenderOptions options, std::uint64_t session);
    ~Sender();
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    // Sends every repetition; returns the transfer number.
    std::uint32_t send(const Outgoing& transfer);
    // A transfer that will not be sent after all (its bytes could not be read): the
    // receiver learns its id from the heartbeats and reports it.
    std::uint32_t abandon(const TransferId& id);
    void heartbeat();
    void heartbeat_if_due();
    const SenderCounters& counters() const { return counters_; }
    std::uint64_t session() const { return cipher_.session(); }

  private:
    class Batch;
    void send_round(const TransferHeader& header, ByteView bytes);
    void send_stripe(const TransferHeader& header, ByteView bytes, std::uint64_t first_group,
                     std::uint64_t groups);
    void send_header();
    void after_shard();
    void queue_datagram(Type type, std::span<const ByteView> parts);
    void flush();
    void ended(std::uint32_t number, const TransferId& id, Outcome outcome);

    SenderOptions options_;
    SessionCipher cipher_;
    ReedSolomon code_;
    TokenBucket bucket_;
    int fd_ = -1;
    bool gso_ = false;  // the kernel segments runs of equal datagrams (UDP_SEGMENT)
    sockaddr_storage dest_{};
    socklen_t dest_len_ = 0;
    std::unique_ptr<Batch> batch_;
    std::vector<std::uint8_t> parity_;  // one stripe's parity shards, reused
    Bytes header_body_;                 // the transfer header being repeated
    std::uint64_t shards_since_header_ = 0;
    std::uint64_t sequence_ = 0;
    std::uint32_t transfer_number_ = 0;
    std::uint64_t heartbeat_counter_ = 0;
    std::deque<HistoryEntry> history_;
    int ended_since_heartbeat_ = 0;
    std::chrono::steady_clock::time_point last_heartbeat_{};
    SenderCounters counters_;
};

}  // namespace sekisho::oneway

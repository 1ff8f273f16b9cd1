#pragma once
// The receiving half of PROTOCOL.md, without the socket: every datagram goes through
// handle(), time-driven checks through tick(). It authenticates, drops replays,
// reassembles transfers with bounded memory, delivers complete and verified ones
// exactly once, and names every transfer it knows went by and could not deliver.

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <system_error>

#include "adapters/oneway/assembly.hpp"
#include "adapters/oneway/datagram_crypto.hpp"
#include "adapters/oneway/receiver_state.hpp"
#include "adapters/oneway/replay_window.hpp"

namespace sekisho::oneway {

struct ReceiverOptions {
    std::filesystem::path inbox_dir;
    std::filesystem::path state_dir;
    std::uint64_t max_transfer = 4ull << 30;
    std::uint64_t max_buffered = 256ull << 20;
    std::size_t max_active = 64;
    std::chrono::milliseconds loss_grace{2000};      // after a heartbeat names it ended
    std::chrono::milliseconds idle_transfer{30000};  // no datagram for it: the sender gave up
    std::chrono::milliseconds heartbeat_silence{3000};
};

struct ReceiverCounters {
    std::uint64_t datagrams = 0;
    std::uint64_t bytes = 0;
    std::uint64_t malformed = 0;
    std::uint64_t auth_failures = 0;
    std::uint64_t replays = 0;
    std::uint64_t shards_repaired = 0;  // data shards rebuilt from parity
    std::uint64_t shards_without_header = 0;
    std::uint64_t shards_dropped_memory = 0;
    std::uint64_t delivered = 0;
    std::uint64_t delivered_bytes = 0;
    std::uint64_t lost_transfers = 0;
    std::uint64_t lost_groups = 0;  // FEC groups beyond repair in transfers declared lost
    std::uint64_t corrupt_transfers = 0;
    std::uint64_t refused_transfers = 0;
    std::uint64_t heartbeats = 0;
    std::uint64_t heartbeat_gaps = 0;
    std::uint64_t buffered_bytes = 0;
    std::uint64_t active_transfers = 0;
};

class Receiver {
  public:
    using Clock = std::chrono::steady_clock;

    Receiver(const config::SecretBytes& oneway_key, ReceiverOptions options);
    ~Receiver();

    void handle(ByteView datagram, Clock::time_point now);
    void tick(Clock::time_point now);
    ReceiverCounters counters() const;

  private:
    struct Active {
        std::unique_ptr<Assembly> assembly;
        Clock::time_point last_datagram;
    };
    struct PendingLoss {
        std::uint32_t number = 0;
        Clock::time_point due;
        bool abandoned = false;
    };

    std::optional<Bytes> open(const Header& h, ByteView datagram, Clock::time_point now);
    bool may_try_session(Clock::time_point now);
    void deliver_files(Assembly& a);
    void account(std::uint32_t number);
    // `ending`: the session is over (a newer one began).
    void report_unseen_below(std::uint32_t limit, bool ending);
    void delivery_failed(const Assembly& a, const std::system_error& e);
    void on_transfer_header(const TransferHeader& t, Clock::time_point now);
    void on_shard(const Shard& s, Clock::time_point now);
    void on_heartbeat(const Heartbeat& hb, Clock::time_point now);
    void deliver(const TransferId& id);
    void declare_lost(const TransferId& id, std::uint32_t number, const std::string& why);
    void drop_active(const TransferId& id);
    const ReedSolomon& code_for(const TransferHeader& t);
    std::uint64_t buffered() const;

    config::SecretBytes key_;
    ReceiverOptions options_;
    ReceiverState state_;
    std::unique_ptr<SessionCipher> current_;
    std::unique_ptr<SessionCipher> candidate_;
    ReplayWindow window_;
    std::map<TransferId, Active> active_;
    std::map<TransferId, PendingLoss> pending_loss_;
    std::set<TransferId> refused_;
    // Lost or corrupt in the current session: later repetitions of it are not assembled
    // again (they would end the same way); a later session may send it again.
    std::set<TransferId> closed_;
    std::map<std::pair<int, int>, std::unique_ptr<ReedSolomon>> codes_;
    // Shards that came before their transfer's header (it was lost or overtaken): kept,
    // within kMaxOrphanBytes, oldest dropped first, and added once the header arrives.
    struct Orphan {
        TransferId id;
        Bytes body;
    };
    std::deque<Orphan> orphans_;
    std::size_t orphan_bytes_ = 0;
    void keep_orphan(const Shard& s, ByteView body);
    void adopt_orphans(const TransferId& id, Clock::time_point now);
    Clock::time_point session_tries_since_{};
    int session_tries_ = 0;
    std::uint64_t last_heartbeat_counter_ = 0;
    // Transfer numbers of the current session named by a header or a heartbeat, at or
    // above checked_below_ (below it, every number has been accounted for or reported).
    std::set<std::uint32_t> accounted_;
    std::optional<std::uint32_t> checked_below_;
    std::uint32_t newest_announced_ = 0;
    std::optional<Clock::time_point> last_heartbeat_;
    bool silence_reported_ = false;
    ReceiverCounters counters_;
    Bytes body_;
};

}  // namespace sekisho::oneway

#pragma once
// The encrypted staging queue. An item enters only once its sealed bytes and its index
// row are durable; every change of state is one checked, audited, durable commit; purge
// destroys the item's key before its bytes and records the deletion.
//
// Layout under the state directory:
//   queue.db (+ -wal, -shm)   the index, keyrings, audit log, and the sealed payloads of
//                             small items (SQLite, WAL, synchronous=FULL)
//   payloads/<id>.seal        sealed payloads of large items; <id>.seal.tmp while written
//
// A payload of at most kInlineMaxClear bytes is stored sealed in its index row, so it
// becomes durable in the same commit as the row (the common filing is ~50 KB); a larger
// one is written to its own file, synced, and renamed into place before the row commits.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "queue/audit_log.hpp"
#include "queue/db.hpp"
#include "queue/item_id.hpp"
#include "queue/keyring.hpp"
#include "queue/seal_format.hpp"
#include "queue/state.hpp"

namespace sekisho::queue {

inline constexpr std::uint64_t kInlineMaxClear = kChunkBytes;

// New items are refused while free space is below the floor.
class QueueFull : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A transition the state machine does not allow, or whose conditions do not hold.
class IllegalTransition : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The payload of an item is missing or does not authenticate; the item is now corrupt.
class CorruptPayload : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class NotFound : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct QueueOptions {
    std::filesystem::path dir;
    std::uint64_t min_free_bytes = 1ull << 30;
};

struct NewItem {
    std::string source;            // "mynaportal", "chukan", "operator"
    std::string external_id;       // arrive_id, result_id, client_request_id: opaque, not personal
    std::string kind;              // "filing" or a 中間サーバー file kind
    config::SecretBytes personal;  // sealed with the item's key; may be empty
    std::uint64_t max_size = 0;    // refuse payloads larger than this (0: no limit)
};

struct ItemInfo {
    ItemId id;
    std::string source;
    std::string external_id;
    std::string kind;
    State state = State::fetched;
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;
    std::int64_t state_since_ms = 0;
    std::uint64_t size = 0;
    Digest sha256{};
    std::optional<std::string> verdict;
    std::string reasons_json;
    bool scanned_clean = false;
    std::int64_t attempts = 0;
    bool stored_inline = false;     // sealed bytes in the index row, not in a file
    bool source_confirmed = false;  // the source was told the item is stored ("downloaded")
    // What an accepted inspection flagged, one word each ("honnin-multiple-matches:2"):
    // counts, never values. Delivered in the core-side manifest.
    std::vector<std::string> flags;
};

// A notice owed to the item's source, e.g. Mynaportal's received / accepted / returned.
struct NoticeRequest {
    std::string kind;
    std::string reason_code;  // required by the source for some kinds
    std::string message;      // shown to the sender: at most 400 characters, no 個人番号
};

struct Notice {
    std::int64_t id = 0;
    ItemId item;
    std::string source;
    std::string external_id;
    NoticeRequest request;
    std::int64_t attempts = 0;
};

// Streams one item's payload into a sealed temporary file. Destroying it uncommitted
// removes the temporary file.
class ItemWriter {
  public:
    ItemWriter(ItemWriter&&) noexcept;
    ItemWriter& operator=(ItemWriter&&) = delete;
    ~ItemWriter();

    void write(ByteView data);
    const ItemId& id() const { return id_; }
    std::uint64_t size() const { return seal_->clear_size(); }

  private:
    friend class Queue;
    ItemWriter(ItemId id, NewItem item, std::filesystem::path tmp_path,
               config::SecretBytes data_key);
    void out(ByteView sealed);
    void spill();
    void finish();
    void discard();
    bool in_file() const { return fd_ >= 0 || file_done_; }

    ItemId id_;
    NewItem item_;
    int fd_ = -1;
    bool file_done_ = false;          // fd closed after the sync, file still to rename
    std::filesystem::path tmp_path_;  // the file is created only once the payload outgrows Bytes
    Bytes inline_;                    // sealed bytes while they fit in the row
    Bytes file_buffer_;               // sealed bytes not yet written to the file
    std::unique_ptr<config::SecretBytes> data_key_;  // stable address for seal_
    std::unique_ptr<SealWriter> seal_;
    bool finished_ = false;
};

enum class EnqueueOutcome {
    added,              // new item in state fetched
    known_external_id,  // (source, external id) was taken in before: nothing added
    duplicate_digest,   // new item, state duplicate: the same bytes came in before
};

struct EnqueueResult {
    EnqueueOutcome outcome;
    ItemId id;                           // the new item, or the known one
    std::optional<ItemId> duplicate_of;  // for duplicate_digest
};

struct Change {
    State to;
    std::string action = "state";               // audit action name
    std::optional<std::string> verdict{};       // "accept" | "reject"
    std::optional<std::string> reasons_json{};  // reason codes and positions, nothing personal
    bool scanned_clean = false;                 // entering staged after a clean scan
    Details details{};                          // for the audit record
    std::optional<NoticeRequest> notice{};      // owed to the source, committed with the change
    std::optional<std::vector<std::string>> flags{};  // replaces the item's flags (one word each)
};

// A request file uploaded to the 中間サーバー (spec/chukan-api.md, Outbound), and where it
// stands there.
struct OutboundRequest {
    ItemId item;
    std::string client_request_id;  // the item's external id: stable across retries
    std::string kind;
    std::string request_id;             // the service's
    std::string status;                 // accepted | processing | done | error
    std::string result_id;              // once done
    std::optional<ItemId> result_item;  // the result file, once it was taken in
    std::int64_t uploaded_ms = 0;
    std::optional<std::int64_t> checked_ms;
    std::int64_t next_check_ms = 0;
    std::int64_t checks = 0;
    bool open() const { return status == "accepted" || status == "processing"; }
};

// Who released an item, or a release waiting for a second person (release.require_approval).
struct ReleaseRecord {
    ItemId item;
    std::string state;  // pending | released | expired | cancelled
    std::optional<std::int64_t> requested_uid;
    std::string requested_by;
    std::int64_t requested_ms = 0;
    std::optional<std::int64_t> expires_ms;
    std::optional<std::int64_t> approved_uid;
    std::string approved_by;
    std::optional<std::int64_t> approved_ms;
};

enum class ApprovalOutcome {
    released,      // approved: the item is released
    none_pending,  // no release request waits for approval
    own_request,   // the approver asked for this release: a different person must approve
    expired,       // the request had expired (now recorded as expired)
};

struct RecoveryReport {
    std::int64_t items = 0;
    std::int64_t temporary_files_removed = 0;
    std::int64_t unreferenced_payloads_removed = 0;
    std::int64_t missing_or_damaged = 0;  // moved to corrupt
    std::int64_t purges_completed = 0;
    std::chrono::milliseconds took{0};
};

struct RetentionPolicy {
    std::chrono::milliseconds delivered;
    std::chrono::milliseconds rejected;
    std::chrono::milliseconds honnin;
};

struct KeyRotation {
    std::int64_t rewrapped = 0;
    std::int64_t queue_key_id = 0;
    std::int64_t audit_key_id = 0;
};

class Queue {
  public:
    // Opens (creating if needed) and recovers the queue. Throws when the directory or
    // the keys cannot be used.
    Queue(QueueOptions options, config::SecretBytes queue_master, config::SecretBytes audit_master);
    ~Queue();
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;

    const RecoveryReport& recovery() const { return recovery_; }

    // Throws QueueFull when free space is below the floor.
    ItemWriter begin(NewItem item);
    // Durable when it returns; concurrent commits are grouped into one sync and one
    // transaction.
    EnqueueResult commit(ItemWriter writer, const Actor& actor = Actor::daemon());

    void transition(const ItemId& id, const Change& change, const Actor& actor = Actor::daemon());
    // Releases a staged or held item that passed inspection and a clean scan; the
    // release record names the actor.
    void release(const ItemId& id, const Actor& actor,
                 std::optional<NoticeRequest> notice = std::nullopt);
    // Two-person rule: records a release that waits until a different person approves it
    // within `valid_for`. Throws IllegalTransition when the item cannot be released or a
    // request is already waiting.
    ReleaseRecord request_release(const ItemId& id, const Actor& actor,
                                  std::chrono::milliseconds valid_for);
    ApprovalOutcome approve_release(const ItemId& id, const Actor& approver,
                                    std::optional<NoticeRequest> notice = std::nullopt);
    std::optional<ReleaseRecord> release_record(const ItemId& id);
    std::vector<ReleaseRecord> pending_releases();

    // Outbound requests (queue_requests.cpp). The service has the released request file
    // `id` under `request_id`: the item becomes sent, its status is followed from now.
    void record_upload(const ItemId& id, const std::string& request_id, const Actor& actor);
    // Requests still accepted or processing whose next check is due.
    std::vector<OutboundRequest> open_requests(std::chrono::system_clock::time_point now,
                                               std::size_t limit);
    // The service's answer about a request; a change of status is audited, a `done` one
    // links the result file when it is in the queue already.
    void record_request_state(const ItemId& id, const std::string& status,
                              const std::string& result_id,
                              std::chrono::system_clock::time_point next_check);
    // A result file was taken in: links it to the request it answers, if one names it.
    // Returns the request's item.
    std::optional<ItemId> link_result(const std::string& result_id, const ItemId& result_item);
    std::optional<OutboundRequest> outbound_request(const ItemId& request_item);
    std::optional<OutboundRequest> request_answered_by(const ItemId& result_item);
    // Marks requests past their time as expired (audited); returns how many.
    std::int64_t expire_release_requests(std::chrono::system_clock::time_point now);

    // Audits an action on an item that changes no state (a notice sent, a content view).
    void record(const Actor& actor, const AuditEntry& entry);

    // Authenticated chunks of the payload; throws CorruptPayload (after moving the item
    // to corrupt) when the payload is missing or damaged.
    void read_payload(const ItemId& id, const std::function<void(ByteView)>& sink);
    config::SecretBytes read_personal(const ItemId& id);

    std::optional<ItemInfo> find(const ItemId& id);
    std::optional<ItemInfo> find_external(std::string_view source, std::string_view external_id);
    std::vector<ItemInfo> list(std::optional<State> state, std::optional<std::string> source,
                               std::size_t limit = 1000);
    std::map<State, std::int64_t> counts();

    // The source has been told the item is stored; adds the notice that follows (e.g.
    // received). Idempotent.
    void confirm_to_source(const ItemId& id, std::optional<NoticeRequest> notice);
    // Items of a source that were committed but whose source was not told yet (a crash
    // came in between): tell it again.
    std::vector<ItemInfo> unconfirmed(std::string_view source);
    // A notice owed without a change of state (e.g. returned E-DUPLICATE). Idempotent.
    void add_notice(const ItemId& id, const NoticeRequest& notice);
    // Pending notices due now, at most one per item (the oldest: notices reach the source
    // in the order they were made), only for items confirmed to their source.
    std::vector<Notice> due_notices(std::string_view source,
                                    std::chrono::system_clock::time_point now, std::size_t limit);
    void notice_delivered(std::int64_t notice, const std::string& notice_id);
    void notice_closed(std::int64_t notice, const std::string& outcome);  // will not be retried
    void notice_retry(std::int64_t notice, std::chrono::system_clock::time_point next_attempt);
    std::int64_t pending_notices();

    // Purges what the policy says is due; returns the number of items purged.
    std::int64_t purge_expired(const RetentionPolicy& policy,
                               std::chrono::system_clock::time_point now);
    // New working keys for the queue and the audit log; every data key is re-wrapped,
    // no payload is re-encrypted.
    KeyRotation rotate_keys(const Actor& actor);

    // Decrypts every kept payload and checks its digest; damaged ones become corrupt.
    std::int64_t verify_payloads();

    bool accepting_new_items() const;
    std::uint64_t free_bytes() const;
    void set_min_free_bytes(std::uint64_t bytes) { min_free_bytes_ = bytes; }
    AuditVerification verify_audit();
    std::int64_t export_audit(std::ostream& out, std::optional<std::int64_t> since_ms,
                              std::optional<std::int64_t> until_ms);
    // A page of the export (see AuditLog::export_page): the lock is held for one page
    // only, so a slow reader of a long export never blocks the queue.
    std::int64_t export_audit_page(std::ostream& out, std::optional<std::int64_t> since_ms,
                                   std::optional<std::int64_t> until_ms, std::int64_t after_seq,
                                   std::int64_t limit);
    std::int64_t audit_records();

    std::filesystem::path payload_path(const ItemId& id) const;

  private:
    struct PendingCommit;
    // Within its scope commits do not wait for the disk (SQLite synchronous = NORMAL, WAL).
    // Only for records whose loss in a power failure merely repeats an idempotent call to
    // the source (a confirmation, a notice's outcome): they survive a crash of the process
    // (the WAL is in the page cache), and the next durable commit syncs them too (the WAL
    // is synced in order). Taken under db_mutex_, outside a transaction.
    class RelaxedSync {
      public:
        explicit RelaxedSync(Db& db);
        ~RelaxedSync();
        RelaxedSync(const RelaxedSync&) = delete;
        RelaxedSync& operator=(const RelaxedSync&) = delete;

      private:
        Db& db_;
    };
    void run_batch(std::vector<PendingCommit*>& batch);
    void sync_payloads(std::vector<PendingCommit*>& batch);
    EnqueueResult insert_item(ItemWriter& w, const Actor& actor);
    std::optional<ItemInfo> find_locked(const ItemId& id);
    void apply_change(const ItemInfo& item, const Change& change, const Actor& actor);
    // The release bookkeeping of a change: who released, or a cancelled pending request.
    void track_release(const ItemInfo& item, const Change& change, const Actor& actor,
                       Details& details);
    void check_releasable(const ItemInfo& item) const;
    // The item, staged or held; throws NotFound or IllegalTransition otherwise.
    ItemInfo find_release_candidate_locked(const ItemId& id);
    std::optional<ReleaseRecord> release_record_locked(const ItemId& id);
    std::optional<OutboundRequest> outbound_request_locked(const std::string& where,
                                                           const std::string& value);
    void link_locked(const OutboundRequest& request, const ItemId& result_item);
    void expire_request_locked(const ReleaseRecord& r);
    // purged, with its deletion record (廃棄記録); the key and bytes are gone already.
    void record_deletion(const ItemInfo& item, Details details);
    void add_notice_locked(const ItemId& id, const NoticeRequest& notice);
    void finish_notice(std::int64_t notice, const std::string& state, const std::string& notice_id,
                       const std::string& outcome);
    void mark_corrupt_locked(const ItemInfo& item, const std::string& why);
    // Both return why the payload is damaged, or "" when it read back intact.
    std::string read_sealed(const ItemInfo& item, const config::SecretBytes& key, ReadExact in,
                            std::uint64_t sealed_bytes, const std::function<void(ByteView)>& sink);
    std::string read_sealed_file(const ItemInfo& item, const config::SecretBytes& key,
                                 const std::function<void(ByteView)>& sink);
    config::SecretBytes data_key(const ItemId& id, std::int64_t kek_id, const Bytes& wrapped);
    Bytes wrap_data_key(const ItemId& id, const config::SecretBytes& key);
    void recover();
    void purge_one(const ItemInfo& item, const std::string& rule);

    QueueOptions options_;
    std::atomic<std::uint64_t> min_free_bytes_;
    std::filesystem::path payload_dir_;
    std::unique_ptr<Db> db_;
    std::unique_ptr<Keyring> queue_keys_;
    std::unique_ptr<Keyring> audit_keys_;
    std::unique_ptr<AuditLog> audit_;
    std::mutex db_mutex_;
    std::mutex commit_mutex_;
    std::condition_variable commit_cv_;
    std::vector<PendingCommit*> pending_;
    bool committing_ = false;
    int payload_dir_fd_ = -1;
    RecoveryReport recovery_;
};

}  // namespace sekisho::queue

// Queue: retention (purge with crypto-shredding), key rotation, full payload checks and
// the audit log's outward face.

#include <unistd.h>

#include "common/time_format.hpp"
#include "queue/queue.hpp"

namespace sekisho::queue {
namespace {

constexpr std::size_t kPurgeBatch = 500;

}  // namespace

std::int64_t Queue::purge_expired(const RetentionPolicy& policy,
                                  std::chrono::system_clock::time_point now) {
    const std::int64_t t = unix_ms(now);
    std::vector<std::pair<ItemInfo, std::string>> due;
    {
        std::lock_guard lock(db_mutex_);
        auto s = db_->prepare(
            "SELECT id, CASE WHEN kind LIKE 'HONNIN-%' AND created_at <= ?3 THEN 'honnin'"
            " WHEN state = 'sent' THEN 'delivered' ELSE 'rejected' END FROM items WHERE"
            " (state = 'sent' AND state_since <= ?1)"
            " OR (state IN ('rejected', 'duplicate', 'corrupt') AND state_since <= ?2)"
            " OR (kind LIKE 'HONNIN-%' AND state != 'purged' AND created_at <= ?3)"
            " ORDER BY id LIMIT ?4");
        s.bind(1, t - policy.delivered.count())
            .bind(2, t - policy.rejected.count())
            .bind(3, t - policy.honnin.count())
            .bind(4, static_cast<std::int64_t>(kPurgeBatch));
        while (s.step())
            due.emplace_back(*find_locked(*ItemId::parse(s.text(0))), s.text(1));
    }
    if (due.empty())
        return 0;
    std::lock_guard lock(db_mutex_);
    // 1. Destroy the data keys (and the sealed metadata): from this commit on, the
    //    payload bytes are unreadable by anyone.
    {
        Transaction tx(*db_);
        auto s = db_->prepare(
            "UPDATE items SET wrapped_key = NULL, kek_id = NULL, meta_sealed = NULL, payload = "
            "NULL "
            "WHERE id = ?1");
        for (const auto& [item, rule] : due) {
            s.bind(1, item.id.str());
            s.run();
        }
        tx.commit();
    }
    // 2. Remove the bytes.
    for (const auto& [item, rule] : due)
        ::unlink(payload_path(item.id).c_str());
    ::fsync(payload_dir_fd_);
    // 3. The deletion record (廃棄記録), one per item.
    {
        Transaction tx(*db_);
        for (const auto& [item, rule] : due) {
            record_deletion(item, {{"retention", rule}});
        }
        tx.commit();
    }
    // Old copies of the destroyed keys may sit in the write-ahead log: empty it.
    db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return static_cast<std::int64_t>(due.size());
}

KeyRotation Queue::rotate_keys(const Actor& actor) {
    std::lock_guard lock(db_mutex_);
    KeyRotation result;
    const auto old_queue_keys = queue_keys_->ids();
    try {
        Transaction tx(*db_);
        result.queue_key_id = queue_keys_->create_key();
        result.audit_key_id = audit_keys_->create_key();
        // The new keys are visible to this connection inside the transaction.
        queue_keys_->reload();
        audit_keys_->reload();
        auto rows =
            db_->prepare("SELECT id, kek_id, wrapped_key FROM items WHERE wrapped_key IS NOT NULL");
        auto update = db_->prepare("UPDATE items SET kek_id = ?1, wrapped_key = ?2 WHERE id = ?3");
        while (rows.step()) {
            const auto id = *ItemId::parse(rows.text(0));
            const auto key = data_key(id, rows.integer(1), rows.blob(2));
            update.bind(1, result.queue_key_id).bind(2, wrap_data_key(id, key)).bind(3, id.str());
            update.run();
            ++result.rewrapped;
        }
        for (std::int64_t old : old_queue_keys)
            queue_keys_->forget_key(old);
        audit_->append(actor, {"keys rotated",
                               std::nullopt,
                               std::nullopt,
                               {{"rewrapped_data_keys", result.rewrapped},
                                {"queue_key_id", result.queue_key_id},
                                {"audit_key_id", result.audit_key_id}}});
        tx.commit();
    } catch (...) {
        queue_keys_->reload();
        audit_keys_->reload();
        throw;
    }
    queue_keys_->reload();
    db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return result;
}

std::int64_t Queue::verify_payloads() {
    std::vector<ItemId> ids;
    {
        std::lock_guard lock(db_mutex_);
        auto s =
            db_->prepare("SELECT id, state FROM items WHERE state NOT IN ('purged', 'corrupt')");
        while (s.step())
            ids.push_back(*ItemId::parse(s.text(0)));
    }
    std::int64_t damaged = 0;
    for (const auto& id : ids) {
        try {
            read_payload(id, [](ByteView) {});
        } catch (const CorruptPayload&) {
            ++damaged;
        }
    }
    return damaged;
}

AuditVerification Queue::verify_audit() {
    std::lock_guard lock(db_mutex_);
    return audit_->verify();
}

std::int64_t Queue::export_audit(std::ostream& out, std::optional<std::int64_t> since_ms,
                                 std::optional<std::int64_t> until_ms) {
    std::lock_guard lock(db_mutex_);
    return audit_->export_jsonl(out, since_ms, until_ms);
}

std::int64_t Queue::export_audit_page(std::ostream& out, std::optional<std::int64_t> since_ms,
                                      std::optional<std::int64_t> until_ms, std::int64_t after_seq,
                                      std::int64_t limit) {
    std::lock_guard lock(db_mutex_);
    return audit_->export_page(out, since_ms, until_ms, after_seq, limit);
}

std::int64_t Queue::audit_records() {
    std::lock_guard lock(db_mutex_);
    return audit_->count();
}

}  // namespace sekisho::queue

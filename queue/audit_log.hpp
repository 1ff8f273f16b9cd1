#pragma once
// The audit log (操作ログ): append-only records in the index, each chained to the one
// before by SHA-256 and sealed with an HMAC under an audit working key. Records are
// written in the same transaction as the change they describe.

#include <sys/types.h>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "queue/db.hpp"
#include "queue/item_id.hpp"
#include "queue/keyring.hpp"

namespace sekisho::queue {

struct Actor {
    std::optional<uid_t> uid;  // empty for the daemon itself
    std::string name;
    static Actor daemon() { return {std::nullopt, "sekishod"}; }
};

// A detail value: a short string (redacted before it is stored) or a number.
struct DetailValue {
    DetailValue(std::string_view s) : text(s) {}
    DetailValue(const char* s) : text(s) {}
    DetailValue(const std::string& s) : text(s) {}
    template <std::integral T>
    DetailValue(T n) : number(static_cast<std::int64_t>(n)), is_number(true) {}
    std::string text;
    std::int64_t number = 0;
    bool is_number = false;
};
using Details = std::vector<std::pair<std::string, DetailValue>>;

struct AuditEntry {
    std::string action;
    std::optional<ItemId> item;
    std::optional<Digest> item_sha256;
    Details details;
};

struct AuditRecord {
    std::int64_t seq = 0;
    std::int64_t at_ms = 0;
    std::optional<std::int64_t> actor_uid;
    std::string actor;
    std::string action;
    std::string item_id;
    std::string item_sha256;  // hex, or empty
    std::string details;      // JSON object
    std::int64_t key_id = 0;
    Bytes prev_hash;
    Bytes hash;
    Bytes mac;
};

struct AuditProblem {
    std::int64_t seq;
    std::string what;
};

struct AuditVerification {
    std::int64_t records = 0;
    std::int64_t last_seq = 0;
    std::string head_hash;  // hex of the last record's hash: compare with an outside copy
    std::vector<AuditProblem> problems;
    bool ok() const { return problems.empty(); }
};

class AuditLog {
  public:
    AuditLog(Db& db, Keyring& keys) : db_(db), keys_(keys) {}

    // Must run inside the caller's transaction.
    void append(const Actor& actor, const AuditEntry& entry);
    AuditVerification verify();
    // JSON Lines, one record a line, records with since <= at < until.
    std::int64_t export_jsonl(std::ostream& out, std::optional<std::int64_t> since_ms,
                              std::optional<std::int64_t> until_ms);
    // At most `limit` records with seq > after_seq (and since <= at < until); returns the
    // last seq written, or after_seq when there was none.
    std::int64_t export_page(std::ostream& out, std::optional<std::int64_t> since_ms,
                             std::optional<std::int64_t> until_ms, std::int64_t after_seq,
                             std::int64_t limit);
    std::int64_t count();

  private:
    Db& db_;
    Keyring& keys_;
};

// The bytes the record hash covers (everything but the hash and the MAC), and the hash:
// SHA-256 over the previous record's hash and those bytes.
Bytes audit_canonical(const AuditRecord& r);
Digest audit_hash(const AuditRecord& r);
// A record from a row of "SELECT <kAuditColumns> FROM audit".
inline constexpr const char* kAuditColumns =
    "seq, at, actor_uid, actor, action, item_id, item_sha256, details, key_id, prev_hash, hash, "
    "mac";
AuditRecord read_audit_record(const Stmt& s);

}  // namespace sekisho::queue

#include "queue/audit_log.hpp"

#include <boost/json.hpp>

#include "common/redact.hpp"
#include "common/time_format.hpp"

namespace sekisho::queue {
namespace {

constexpr std::string_view kCanonicalTag = "sekisho-audit-v1";

void put_field(Bytes& out, std::string_view field) {
    const auto n = static_cast<std::uint32_t>(field.size());
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<unsigned char>(n >> (24 - 8 * i)));
    out.insert(out.end(), field.begin(), field.end());
}

std::string details_json(const Details& details) {
    boost::json::object o;
    for (const auto& [key, value] : details) {
        if (value.is_number) {
            o[redact(key)] = value.number;
        } else {
            o[redact(key)] = redact(value.text);
        }
    }
    return boost::json::serialize(o);
}

}  // namespace

AuditRecord read_audit_record(const Stmt& s) {
    AuditRecord r;
    r.seq = s.integer(0);
    r.at_ms = s.integer(1);
    if (!s.is_null(2))
        r.actor_uid = s.integer(2);
    r.actor = s.text(3);
    r.action = s.text(4);
    r.item_id = s.text(5);
    r.item_sha256 = s.text(6);
    r.details = s.text(7);
    r.key_id = s.integer(8);
    r.prev_hash = s.blob(9);
    r.hash = s.blob(10);
    r.mac = s.blob(11);
    return r;
}

namespace {

boost::json::object to_json(const AuditRecord& r) {
    boost::json::object o;
    o["seq"] = r.seq;
    o["at"] = rfc3339_utc(r.at_ms);
    if (r.actor_uid) {
        o["actor_uid"] = *r.actor_uid;
    } else {
        o["actor_uid"] = nullptr;
    }
    o["actor"] = r.actor;
    o["action"] = r.action;
    o["item_id"] = r.item_id;
    o["item_sha256"] = r.item_sha256;
    boost::system::error_code ec;
    auto details = boost::json::parse(r.details, ec);
    o["details"] = ec ? boost::json::value(r.details) : details;
    o["key_id"] = r.key_id;
    o["prev_hash"] = to_hex(r.prev_hash);
    o["hash"] = to_hex(r.hash);
    o["mac"] = to_hex(r.mac);
    return o;
}

}  // namespace

Digest audit_hash(const AuditRecord& r) {
    Bytes chained = r.prev_hash;
    const Bytes canonical = audit_canonical(r);
    chained.insert(chained.end(), canonical.begin(), canonical.end());
    return sha256(chained);
}

Bytes audit_canonical(const AuditRecord& r) {
    Bytes out;
    put_field(out, kCanonicalTag);
    put_field(out, std::to_string(r.seq));
    put_field(out, std::to_string(r.at_ms));
    put_field(out, r.actor_uid ? std::to_string(*r.actor_uid) : std::string());
    put_field(out, r.actor);
    put_field(out, r.action);
    put_field(out, r.item_id);
    put_field(out, r.item_sha256);
    put_field(out, r.details);
    put_field(out, std::to_string(r.key_id));
    return out;
}

void AuditLog::append(const Actor& actor, const AuditEntry& entry) {
    AuditRecord r;
    r.prev_hash.assign(32, 0);
    {
        auto last = db_.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
        if (last.step()) {
            r.seq = last.integer(0);
            r.prev_hash = last.blob(1);
        }
    }
    r.seq += 1;
    r.at_ms = unix_ms_now();
    if (actor.uid)
        r.actor_uid = *actor.uid;
    r.actor = redact(actor.name);
    r.action = redact(entry.action);
    r.item_id = entry.item ? entry.item->str() : std::string();
    r.item_sha256 = entry.item_sha256 ? to_hex(*entry.item_sha256) : std::string();
    r.details = details_json(entry.details);
    r.key_id = keys_.current_id();
    const Digest hash = audit_hash(r);
    const Digest mac = hmac_sha256(keys_.key(r.key_id), hash);
    auto s = db_.prepare(std::string("INSERT INTO audit(") + kAuditColumns +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    s.bind(1, r.seq).bind(2, r.at_ms);
    if (r.actor_uid) {
        s.bind(3, *r.actor_uid);
    } else {
        s.bind_null(3);
    }
    s.bind(4, r.actor).bind(5, r.action).bind(6, r.item_id).bind(7, r.item_sha256);
    s.bind(8, r.details).bind(9, r.key_id).bind(10, r.prev_hash).bind(11, hash).bind(12, mac);
    s.run();
}

AuditVerification AuditLog::verify() {
    AuditVerification v;
    Bytes prev(32, 0);
    std::int64_t expected = 1;
    auto s = db_.prepare(std::string("SELECT ") + kAuditColumns + " FROM audit ORDER BY seq");
    while (s.step()) {
        const AuditRecord r = read_audit_record(s);
        ++v.records;
        if (r.seq > expected) {
            v.problems.push_back({r.seq, "records " + std::to_string(expected) + ".." +
                                             std::to_string(r.seq - 1) + " are missing (deleted)"});
        }
        if (r.prev_hash != prev) {
            v.problems.push_back({r.seq,
                                  "does not follow the record before it (a record was "
                                  "inserted, removed, reordered or changed)"});
        }
        const Digest hash = audit_hash(r);
        if (!constant_time_equal(hash, r.hash)) {
            v.problems.push_back({r.seq, "content was modified (hash mismatch)"});
        } else if (!keys_.has(r.key_id) ||
                   !constant_time_equal(hmac_sha256(keys_.key(r.key_id), hash), r.mac)) {
            v.problems.push_back({r.seq, "seal (HMAC) does not verify: forged or re-hashed"});
        }
        prev = r.hash;
        expected = r.seq + 1;
        v.last_seq = r.seq;
    }
    v.head_hash = to_hex(prev);
    return v;
}

std::int64_t AuditLog::export_jsonl(std::ostream& out, std::optional<std::int64_t> since_ms,
                                    std::optional<std::int64_t> until_ms) {
    auto s = db_.prepare(std::string("SELECT ") + kAuditColumns +
                         " FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY seq");
    s.bind(1, since_ms.value_or(std::numeric_limits<std::int64_t>::min()));
    s.bind(2, until_ms.value_or(std::numeric_limits<std::int64_t>::max()));
    std::int64_t n = 0;
    while (s.step()) {
        out << boost::json::serialize(to_json(read_audit_record(s))) << "\n";
        ++n;
    }
    return n;
}

std::int64_t AuditLog::export_page(std::ostream& out, std::optional<std::int64_t> since_ms,
                                   std::optional<std::int64_t> until_ms, std::int64_t after_seq,
                                   std::int64_t limit) {
    auto s = db_.prepare(std::string("SELECT ") + kAuditColumns +
                         " FROM audit WHERE at >= ?1 AND at < ?2 AND seq > ?3 ORDER BY seq"
                         " LIMIT ?4");
    s.bind(1, since_ms.value_or(std::numeric_limits<std::int64_t>::min()));
    s.bind(2, until_ms.value_or(std::numeric_limits<std::int64_t>::max()));
    s.bind(3, after_seq).bind(4, limit);
    std::int64_t last = after_seq;
    while (s.step()) {
        const auto r = read_audit_record(s);
        out << boost::json::serialize(to_json(r)) << "\n";
        last = r.seq;
    }
    return last;
}

std::int64_t AuditLog::count() {
    auto s = db_.prepare("SELECT COUNT(*) FROM audit");
    s.step();
    return s.integer(0);
}

}  // namespace sekisho::queue

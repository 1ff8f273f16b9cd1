// Queue: who released an item, and the two-person rule (a release waits until a
// different person approves it).

#include "common/time_format.hpp"
#include "queue/queue.hpp"

namespace sekisho::queue {
namespace {

constexpr const char* kSelectRelease =
    "SELECT item_id, state, requested_uid, requested_by, requested_at, expires_at, approved_uid, "
    "approved_by, approved_at FROM releases";

std::optional<std::int64_t> optional_integer(const Stmt& s, int col) {
    if (s.is_null(col))
        return std::nullopt;
    return s.integer(col);
}

ReleaseRecord read_release(const Stmt& s) {
    ReleaseRecord r;
    r.item = *ItemId::parse(s.text(0));
    r.state = s.text(1);
    r.requested_uid = optional_integer(s, 2);
    r.requested_by = s.text(3);
    r.requested_ms = s.integer(4);
    r.expires_ms = optional_integer(s, 5);
    r.approved_uid = optional_integer(s, 6);
    r.approved_by = s.text(7);
    r.approved_ms = optional_integer(s, 8);
    return r;
}

void bind_uid(Stmt& s, int index, const Actor& actor) {
    if (actor.uid) {
        s.bind(index, static_cast<std::int64_t>(*actor.uid));
    } else {
        s.bind_null(index);
    }
}

std::string describe_request(const ReleaseRecord& r) {
    return "requested by " + r.requested_by + " at " + rfc3339_utc(r.requested_ms);
}

}  // namespace

void Queue::check_releasable(const ItemInfo& item) const {
    if (item.verdict != "accept" || !item.scanned_clean) {
        throw IllegalTransition(
            "item " + item.id.str() +
            " cannot be released: it has not passed inspection and a clean scan");
    }
}

std::optional<ReleaseRecord> Queue::release_record_locked(const ItemId& id) {
    auto s = db_->prepare(std::string(kSelectRelease) + " WHERE item_id = ?1");
    s.bind(1, id.str());
    if (!s.step())
        return std::nullopt;
    return read_release(s);
}

void Queue::track_release(const ItemInfo& item, const Change& change, const Actor& actor,
                          Details& details) {
    if (change.to != State::released) {
        auto s = db_->prepare(
            "UPDATE releases SET state = 'cancelled' WHERE item_id = ?1 AND state = 'pending'");
        s.bind(1, item.id.str()).run();
        if (db_->changes() > 0)
            details.emplace_back("release_request", "cancelled");
        return;
    }
    // The releasing actor; an approval rewrites the row with both people afterwards.
    auto s = db_->prepare(
        "INSERT INTO releases(item_id, state, requested_uid, requested_by, requested_at)"
        " VALUES (?1, 'released', ?2, ?3, ?4) ON CONFLICT(item_id) DO UPDATE SET"
        " state = 'released', requested_uid = ?2, requested_by = ?3, requested_at = ?4,"
        " expires_at = NULL, approved_uid = NULL, approved_by = '', approved_at = NULL");
    s.bind(1, item.id.str());
    bind_uid(s, 2, actor);
    s.bind(3, actor.name).bind(4, unix_ms_now()).run();
}

ItemInfo Queue::find_release_candidate_locked(const ItemId& id) {
    auto item = find_locked(id);
    if (!item)
        throw NotFound("no item " + id.str());
    if (item->state != State::staged && item->state != State::held) {
        throw IllegalTransition("item " + id.str() + " is " + std::string(name(item->state)) +
                                ", not staged or held");
    }
    return *item;
}

void Queue::release(const ItemId& id, const Actor& actor, std::optional<NoticeRequest> notice) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    const auto item = find_release_candidate_locked(id);
    apply_change(item, {.to = State::released, .action = "release", .notice = std::move(notice)},
                 actor);
    tx.commit();
}

ReleaseRecord Queue::request_release(const ItemId& id, const Actor& actor,
                                     std::chrono::milliseconds valid_for) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    const auto item = find_release_candidate_locked(id);
    check_releasable(item);
    const std::int64_t now = unix_ms_now();
    if (const auto r = release_record_locked(id); r && r->state == "pending") {
        if (r->expires_ms.value_or(0) > now) {
            throw IllegalTransition("item " + id.str() + " already waits for approval (" +
                                    describe_request(*r) + ")");
        }
        expire_request_locked(*r);  // not swept yet: its end is recorded before the new one
    }
    const std::int64_t expires = now + valid_for.count();
    auto s = db_->prepare(
        "INSERT INTO releases(item_id, state, requested_uid, requested_by, requested_at,"
        " expires_at) VALUES (?1, 'pending', ?2, ?3, ?4, ?5) ON CONFLICT(item_id) DO UPDATE SET"
        " state = 'pending', requested_uid = ?2, requested_by = ?3, requested_at = ?4,"
        " expires_at = ?5, approved_uid = NULL, approved_by = '', approved_at = NULL");
    s.bind(1, id.str());
    bind_uid(s, 2, actor);
    s.bind(3, actor.name).bind(4, now).bind(5, expires).run();
    audit_->append(
        actor, {"release requested",
                id,
                item.sha256,
                {{"state", std::string(name(item.state))}, {"expires_at", rfc3339_utc(expires)}}});
    auto record = *release_record_locked(id);
    tx.commit();
    return record;
}

void Queue::expire_request_locked(const ReleaseRecord& r) {
    auto s = db_->prepare(
        "UPDATE releases SET state = 'expired' WHERE item_id = ?1 AND state = 'pending'");
    s.bind(1, r.item.str()).run();
    audit_->append(Actor::daemon(), {"release request expired",
                                     r.item,
                                     std::nullopt,
                                     {{"requested_by", r.requested_by},
                                      {"requested_at", rfc3339_utc(r.requested_ms)}}});
}

ApprovalOutcome Queue::approve_release(const ItemId& id, const Actor& approver,
                                       std::optional<NoticeRequest> notice) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    const auto item = find_locked(id);
    if (!item)
        throw NotFound("no item " + id.str());
    const auto r = release_record_locked(id);
    if (!r || r->state != "pending")
        return ApprovalOutcome::none_pending;
    const std::int64_t now = unix_ms_now();
    if (r->expires_ms.value_or(0) <= now) {
        expire_request_locked(*r);
        tx.commit();
        return ApprovalOutcome::expired;
    }
    // The rule is about people: the same uid cannot be both, whatever roles it holds.
    if (!approver.uid || (r->requested_uid && *r->requested_uid == *approver.uid))
        return ApprovalOutcome::own_request;
    apply_change(*item,
                 {.to = State::released,
                  .action = "release approved",
                  .details = {{"requested_by", r->requested_by},
                              {"requested_at", rfc3339_utc(r->requested_ms)}},
                  .notice = std::move(notice)},
                 approver);
    auto s = db_->prepare(
        "UPDATE releases SET requested_uid = ?2, requested_by = ?3, requested_at = ?4,"
        " approved_uid = ?5, approved_by = ?6, approved_at = ?7 WHERE item_id = ?1");
    s.bind(1, id.str());
    if (r->requested_uid) {
        s.bind(2, *r->requested_uid);
    } else {
        s.bind_null(2);
    }
    s.bind(3, r->requested_by).bind(4, r->requested_ms);
    bind_uid(s, 5, approver);
    s.bind(6, approver.name).bind(7, now).run();
    tx.commit();
    return ApprovalOutcome::released;
}

std::optional<ReleaseRecord> Queue::release_record(const ItemId& id) {
    std::lock_guard lock(db_mutex_);
    return release_record_locked(id);
}

std::vector<ReleaseRecord> Queue::pending_releases() {
    std::lock_guard lock(db_mutex_);
    auto s = db_->prepare(std::string(kSelectRelease) +
                          " WHERE state = 'pending' ORDER BY requested_at LIMIT 10000");
    std::vector<ReleaseRecord> out;
    while (s.step())
        out.push_back(read_release(s));
    return out;
}

std::int64_t Queue::expire_release_requests(std::chrono::system_clock::time_point now) {
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    auto s = db_->prepare(std::string(kSelectRelease) +
                          " WHERE state = 'pending' AND expires_at <= ?1 LIMIT 1000");
    s.bind(1, now_ms);
    std::vector<ReleaseRecord> due;
    while (s.step())
        due.push_back(read_release(s));
    for (const auto& r : due)
        expire_request_locked(r);
    tx.commit();
    return static_cast<std::int64_t>(due.size());
}

}  // namespace sekisho::queue

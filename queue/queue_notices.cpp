// Queue: the durable outbox of notices owed to the sources.

#include <stdexcept>

#include "common/time_format.hpp"
#include "queue/queue.hpp"

namespace sekisho::queue {
namespace {

constexpr std::size_t kMaxMessageChars = 400;

std::size_t utf8_chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xc0) != 0x80;
    return n;
}

// A notice reaches a person outside: it must not carry a 個人番号.
bool has_twelve_digit_run(std::string_view s) {
    std::size_t run = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            ++run;
            continue;
        }
        if (run == 12)
            return true;
        run = 0;
    }
    return false;
}

void check_notice(const NoticeRequest& n) {
    if (n.kind.empty())
        throw std::invalid_argument("a notice needs a kind");
    if (utf8_chars(n.message) > kMaxMessageChars) {
        throw std::invalid_argument("notice message longer than 400 characters");
    }
    if (has_twelve_digit_run(n.message) || has_twelve_digit_run(n.reason_code)) {
        throw std::invalid_argument(
            "notice text holds a 12-digit number; it must not carry a 個人番号");
    }
}

}  // namespace

void Queue::add_notice_locked(const ItemId& id, const NoticeRequest& n) {
    check_notice(n);
    // One notice of each kind per item: a repeat (a retried transition, a second
    // confirmation) adds nothing.
    auto s = db_->prepare(
        "INSERT INTO notices(item_id, kind, reason_code, message, created_at, next_attempt_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(item_id, kind) DO NOTHING");
    s.bind(1, id.str())
        .bind(2, n.kind)
        .bind(3, n.reason_code)
        .bind(4, n.message)
        .bind(5, unix_ms_now());
    s.run();
}

void Queue::confirm_to_source(const ItemId& id, std::optional<NoticeRequest> notice) {
    std::lock_guard lock(db_mutex_);
    // Lost only in a power failure, after which the source is told again (idempotent).
    RelaxedSync relaxed(*db_);
    Transaction tx(*db_);
    const auto item = find_locked(id);
    if (!item)
        throw NotFound("no item " + id.str());
    if (item->source_confirmed)
        return;
    db_->prepare("UPDATE items SET confirmed_at = ?1 WHERE id = ?2")
        .bind(1, unix_ms_now())
        .bind(2, id.str())
        .run();
    if (notice)
        add_notice_locked(id, *notice);
    audit_->append(Actor::daemon(),
                   {"confirmed to source", id, item->sha256, {{"source", item->source}}});
    tx.commit();
}

void Queue::add_notice(const ItemId& id, const NoticeRequest& notice) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    if (!find_locked(id))
        throw NotFound("no item " + id.str());
    add_notice_locked(id, notice);
    tx.commit();
}

std::vector<ItemInfo> Queue::unconfirmed(std::string_view source) {
    std::vector<ItemId> ids;
    {
        std::lock_guard lock(db_mutex_);
        auto s = db_->prepare(
            "SELECT id FROM items WHERE source = ?1 AND confirmed_at IS NULL AND state != 'purged' "
            "ORDER BY id");
        s.bind(1, source);
        while (s.step())
            ids.push_back(*ItemId::parse(s.text(0)));
    }
    std::vector<ItemInfo> out;
    for (const auto& id : ids) {
        if (auto i = find(id))
            out.push_back(*i);
    }
    return out;
}

std::vector<Notice> Queue::due_notices(std::string_view source,
                                       std::chrono::system_clock::time_point now,
                                       std::size_t limit) {
    std::lock_guard lock(db_mutex_);
    auto s = db_->prepare(
        "SELECT n.id, n.item_id, i.source, i.external_id, n.kind, n.reason_code, n.message, "
        "n.attempts FROM notices n JOIN items i ON i.id = n.item_id "
        "WHERE n.state = 'pending' AND i.source = ?1 AND i.confirmed_at IS NOT NULL "
        "AND n.next_attempt_at <= ?2 AND n.id = (SELECT MIN(m.id) FROM notices m "
        "WHERE m.item_id = n.item_id AND m.state = 'pending') ORDER BY n.id LIMIT ?3");
    s.bind(1, source).bind(2, unix_ms(now)).bind(3, static_cast<std::int64_t>(limit));
    std::vector<Notice> out;
    while (s.step()) {
        out.push_back({s.integer(0),
                       *ItemId::parse(s.text(1)),
                       s.text(2),
                       s.text(3),
                       {s.text(4), s.text(5), s.text(6)},
                       s.integer(7)});
    }
    return out;
}

void Queue::finish_notice(std::int64_t notice, const std::string& state,
                          const std::string& notice_id, const std::string& outcome) {
    std::lock_guard lock(db_mutex_);
    // Lost only in a power failure, after which the notice is sent again: the service
    // answers a repeat with the same notice_id (or the same refusal).
    RelaxedSync relaxed(*db_);
    Transaction tx(*db_);
    auto s = db_->prepare(
        "SELECT n.item_id, n.kind, i.sha256 FROM notices n JOIN items i ON i.id = n.item_id WHERE "
        "n.id = ?1 AND n.state = 'pending'");
    s.bind(1, notice);
    if (!s.step())
        throw NotFound("no pending notice " + std::to_string(notice));
    const auto id = *ItemId::parse(s.text(0));
    const std::string kind = s.text(1);
    Digest digest{};
    const Bytes d = s.blob(2);
    std::copy(d.begin(), d.end(), digest.begin());
    db_->prepare(
           "UPDATE notices SET state = ?1, notice_id = ?2, outcome = ?3, attempts = attempts + 1 "
           "WHERE id = ?4")
        .bind(1, state)
        .bind(2, notice_id)
        .bind(3, outcome)
        .bind(4, notice)
        .run();
    audit_->append(Actor::daemon(),
                   {state == "sent" ? "notice sent" : "notice closed",
                    id,
                    digest,
                    {{"kind", kind}, {"notice_id", notice_id}, {"outcome", outcome}}});
    tx.commit();
}

void Queue::notice_delivered(std::int64_t notice, const std::string& notice_id) {
    finish_notice(notice, "sent", notice_id, "confirmed");
}

void Queue::notice_closed(std::int64_t notice, const std::string& outcome) {
    finish_notice(notice, "closed", "", outcome);
}

void Queue::notice_retry(std::int64_t notice, std::chrono::system_clock::time_point next_attempt) {
    std::lock_guard lock(db_mutex_);
    db_->prepare(
           "UPDATE notices SET attempts = attempts + 1, next_attempt_at = ?1 WHERE id = ?2 AND "
           "state = 'pending'")
        .bind(1, unix_ms(next_attempt))
        .bind(2, notice)
        .run();
}

std::int64_t Queue::pending_notices() {
    std::lock_guard lock(db_mutex_);
    auto s = db_->prepare("SELECT COUNT(*) FROM notices WHERE state = 'pending'");
    s.step();
    return s.integer(0);
}

}  // namespace sekisho::queue

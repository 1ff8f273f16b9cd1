// Queue: changing and reading items.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/time_format.hpp"
#include "queue/queue.hpp"

namespace sekisho::queue {
namespace {

constexpr const char* kSelectItem =
    "SELECT id, source, external_id, kind, state, created_at, updated_at, state_since, size, "
    "sha256, verdict, reasons, scanned_clean, attempts, payload IS NOT NULL, confirmed_at IS NOT "
    "NULL, flags FROM items";

std::vector<std::string> split_flags(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        if (end > at)
            out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

std::string join_flags(const std::vector<std::string>& flags) {
    std::string out;
    for (const auto& f : flags) {
        if (f.empty() || f.find(' ') != std::string::npos)
            throw std::invalid_argument("an item flag must be one word");
        out += (out.empty() ? "" : " ") + f;
    }
    return out;
}

ItemInfo read_item(const Stmt& s) {
    ItemInfo i;
    i.id = *ItemId::parse(s.text(0));
    i.source = s.text(1);
    i.external_id = s.text(2);
    i.kind = s.text(3);
    i.state = parse_state(s.text(4)).value_or(State::corrupt);
    i.created_ms = s.integer(5);
    i.updated_ms = s.integer(6);
    i.state_since_ms = s.integer(7);
    i.size = static_cast<std::uint64_t>(s.integer(8));
    const Bytes digest = s.blob(9);
    if (digest.size() == i.sha256.size())
        std::copy(digest.begin(), digest.end(), i.sha256.begin());
    if (!s.is_null(10))
        i.verdict = s.text(10);
    i.reasons_json = s.text(11);
    i.scanned_clean = s.integer(12) != 0;
    i.attempts = s.integer(13);
    i.stored_inline = s.integer(14) != 0;
    i.source_confirmed = s.integer(15) != 0;
    i.flags = split_flags(s.text(16));
    return i;
}

struct KeyRow {
    std::int64_t kek_id;
    Bytes wrapped;
    Bytes meta;
};

}  // namespace

std::optional<ItemInfo> Queue::find_locked(const ItemId& id) {
    auto s = db_->prepare(std::string(kSelectItem) + " WHERE id = ?1");
    s.bind(1, id.str());
    if (!s.step())
        return std::nullopt;
    return read_item(s);
}

std::optional<ItemInfo> Queue::find(const ItemId& id) {
    std::lock_guard lock(db_mutex_);
    return find_locked(id);
}

std::optional<ItemInfo> Queue::find_external(std::string_view source,
                                             std::string_view external_id) {
    std::lock_guard lock(db_mutex_);
    auto s = db_->prepare(std::string(kSelectItem) + " WHERE source = ?1 AND external_id = ?2");
    s.bind(1, source).bind(2, external_id);
    if (!s.step())
        return std::nullopt;
    return read_item(s);
}

std::vector<ItemInfo> Queue::list(std::optional<State> state, std::optional<std::string> source,
                                  std::size_t limit) {
    std::lock_guard lock(db_mutex_);
    auto s = db_->prepare(std::string(kSelectItem) +
                          " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR source = ?2)"
                          " ORDER BY id LIMIT ?3");
    if (state) {
        s.bind(1, name(*state));
    } else {
        s.bind_null(1);
    }
    if (source) {
        s.bind(2, *source);
    } else {
        s.bind_null(2);
    }
    s.bind(3, static_cast<std::int64_t>(limit));
    std::vector<ItemInfo> out;
    while (s.step())
        out.push_back(read_item(s));
    return out;
}

std::map<State, std::int64_t> Queue::counts() {
    std::lock_guard lock(db_mutex_);
    std::map<State, std::int64_t> out;
    for (State st : kAllStates)
        out[st] = 0;
    auto s = db_->prepare("SELECT state, COUNT(*) FROM items GROUP BY state");
    while (s.step()) {
        if (auto st = parse_state(s.text(0)))
            out[*st] = s.integer(1);
    }
    return out;
}

void Queue::apply_change(const ItemInfo& item, const Change& change, const Actor& actor) {
    const std::string from(name(item.state));
    const std::string to(name(change.to));
    if (!allowed(item.state, change.to)) {
        throw IllegalTransition("item " + item.id.str() + ": " + from + " -> " + to +
                                " is not a transition of the state machine");
    }
    if (change.to == State::released)
        check_releasable(item);
    const bool reinspect = change.to == State::inspecting;
    const bool clean = change.to == State::staged && change.scanned_clean;
    auto s = db_->prepare(
        "UPDATE items SET state = ?1, updated_at = ?2, state_since = ?2,"
        " verdict = CASE WHEN ?3 THEN NULL WHEN ?4 IS NOT NULL THEN ?4 ELSE verdict END,"
        " reasons = CASE WHEN ?3 THEN '[]' WHEN ?5 IS NOT NULL THEN ?5 ELSE reasons END,"
        " scanned_clean = CASE WHEN ?3 THEN 0 WHEN ?6 THEN 1 ELSE scanned_clean END,"
        " attempts = CASE WHEN ?3 THEN attempts + 1 ELSE attempts END,"
        " flags = CASE WHEN ?3 THEN '' WHEN ?9 IS NOT NULL THEN ?9 ELSE flags END"
        " WHERE id = ?7 AND state = ?8");
    s.bind(1, to).bind(2, unix_ms_now()).bind(3, std::int64_t{reinspect});
    if (change.verdict) {
        s.bind(4, *change.verdict);
    } else {
        s.bind_null(4);
    }
    if (change.reasons_json) {
        s.bind(5, *change.reasons_json);
    } else {
        s.bind_null(5);
    }
    s.bind(6, std::int64_t{clean}).bind(7, item.id.str()).bind(8, from);
    if (change.flags) {
        s.bind(9, join_flags(*change.flags));
    } else {
        s.bind_null(9);
    }
    s.run();
    if (db_->changes() != 1) {
        throw IllegalTransition("item " + item.id.str() + " is no longer " + from);
    }
    if (change.notice)
        add_notice_locked(item.id, *change.notice);
    Details details{{"from", from}, {"to", to}};
    if (change.verdict)
        details.emplace_back("verdict", *change.verdict);
    if (change.flags && !change.flags->empty())
        details.emplace_back("flags", join_flags(*change.flags));
    track_release(item, change, actor, details);
    details.insert(details.end(), change.details.begin(), change.details.end());
    audit_->append(actor, {change.action, item.id, item.sha256, std::move(details)});
}

void Queue::record_deletion(const ItemInfo& item, Details details) {
    details.emplace_back("size", item.size);
    apply_change(item,
                 {State::purged, "deletion", std::nullopt, std::nullopt, false, std::move(details)},
                 Actor::daemon());
}

void Queue::transition(const ItemId& id, const Change& change, const Actor& actor) {
    if (change.to == State::purged) {
        // Only purge_expired() purges: it destroys the key and the bytes first.
        throw IllegalTransition("item " + id.str() + ": items are purged by retention only");
    }
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    const auto item = find_locked(id);
    if (!item)
        throw NotFound("no item " + id.str());
    apply_change(*item, change, actor);
    tx.commit();
}

void Queue::record(const Actor& actor, const AuditEntry& entry) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    audit_->append(actor, entry);
    tx.commit();
}

void Queue::mark_corrupt_locked(const ItemInfo& item, const std::string& why) {
    Transaction tx(*db_);
    const auto current = find_locked(item.id);
    if (!current || !payload_expected(current->state))
        return;
    apply_change(*current,
                 {State::corrupt, "corrupt", std::nullopt, std::nullopt, false, {{"why", why}}},
                 Actor::daemon());
    tx.commit();
}

void Queue::read_payload(const ItemId& id, const std::function<void(ByteView)>& sink) {
    ItemInfo item;
    config::SecretBytes key;
    Bytes inline_payload;
    {
        std::lock_guard lock(db_mutex_);
        const auto found = find_locked(id);
        if (!found)
            throw NotFound("no item " + id.str());
        if (!payload_expected(found->state)) {
            throw NotFound("item " + id.str() + " has no payload (" +
                           std::string(name(found->state)) + ")");
        }
        item = *found;
        auto s = db_->prepare("SELECT kek_id, wrapped_key, payload FROM items WHERE id = ?1");
        s.bind(1, id.str());
        s.step();
        try {
            key = data_key(id, s.integer(0), s.blob(1));
        } catch (const AuthError& e) {
            mark_corrupt_locked(item, "data key does not unwrap");
            throw CorruptPayload("item " + id.str() + ": " + e.what());
        }
        if (item.stored_inline)
            inline_payload = s.blob(2);
    }
    // The payload is read without holding the index: a large one takes a while.
    const std::string why =
        item.stored_inline
            ? read_sealed(item, key, memory_source(inline_payload), inline_payload.size(), sink)
            : read_sealed_file(item, key, sink);
    if (!why.empty()) {
        std::lock_guard lock(db_mutex_);
        mark_corrupt_locked(item, why);
        throw CorruptPayload("item " + id.str() + ": " + why);
    }
}

std::string Queue::read_sealed(const ItemInfo& item, const config::SecretBytes& key, ReadExact in,
                               std::uint64_t sealed_bytes,
                               const std::function<void(ByteView)>& sink) {
    try {
        SealReader reader(std::move(in), sealed_bytes, key, item.id);
        Sha256 hash;
        const std::uint64_t size = reader.read([&](ByteView chunk) {
            hash.update(chunk);
            sink(chunk);
        });
        if (size != item.size || hash.finish() != item.sha256) {
            return "payload does not match its recorded digest";
        }
    } catch (const AuthError& e) {
        return e.what();
    }
    return {};
}

std::string Queue::read_sealed_file(const ItemInfo& item, const config::SecretBytes& key,
                                    const std::function<void(ByteView)>& sink) {
    const int fd = ::open(payload_path(item.id).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? "payload file missing" : "payload file unreadable";
    struct stat st {};
    std::string why;
    try {
        if (::fstat(fd, &st) != 0)
            throw std::system_error(errno, std::generic_category(), "fstat");
        why = read_sealed(item, key, fd_source(fd), static_cast<std::uint64_t>(st.st_size), sink);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return why;
}

config::SecretBytes Queue::read_personal(const ItemId& id) {
    std::lock_guard lock(db_mutex_);
    auto s = db_->prepare("SELECT kek_id, wrapped_key, meta_sealed FROM items WHERE id = ?1");
    s.bind(1, id.str());
    if (!s.step())
        throw NotFound("no item " + id.str());
    if (s.is_null(1) || s.is_null(2))
        throw NotFound("item " + id.str() + " was purged");
    const auto key = data_key(id, s.integer(0), s.blob(1));
    return open_blob(key, s.blob(2), as_bytes("sekisho-meta-v1|" + id.str()));
}

}  // namespace sekisho::queue

#include "adapters/oneway/receiver.hpp"

#include <boost/json.hpp>

#include <system_error>

#include "common/atomic_file.hpp"
#include "common/log.hpp"

namespace sekisho::oneway {
namespace {

constexpr std::size_t kMaxOrphanBytes = 4u << 20;
// A transfer's group bitmap is allocated from its header: far more groups than any
// sensible transfer (16 Mi x at least one shard) is a sender fault, refused.
constexpr std::uint64_t kMaxGroups = 1u << 24;
// Trying a new session costs a key derivation; someone without the key could ask for
// one with every datagram. A restarted sender needs one.
constexpr int kNewSessionTriesPerSecond = 50;

config::SecretBytes copy_key(const config::SecretBytes& k) {
    return config::SecretBytes(std::vector<unsigned char>(k.data(), k.data() + k.size()));
}

// Same transfer, perhaps announced by another session (whose numbers differ).
bool same_transfer(const TransferHeader& a, const TransferHeader& b) {
    return a.id == b.id && a.size == b.size && a.sha256 == b.sha256 &&
           a.shard_size == b.shard_size && a.data_shards == b.data_shards &&
           a.parity_shards == b.parity_shards && a.manifest == b.manifest;
}

// The file name extension for the item, from its manifest's kind; nullopt when the
// manifest is not a JSON object naming this transfer.
std::optional<std::string> item_extension(const TransferHeader& t) {
    boost::json::error_code ec;
    const auto v = boost::json::parse(t.manifest, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    const auto& o = v.get_object();
    const auto* id = o.if_contains("id");
    if (id == nullptr || !id->is_string() || id->get_string() != to_string(t.id))
        return std::nullopt;
    const auto* kind = o.if_contains("kind");
    if (kind != nullptr && kind->is_string() && kind->get_string() == "filing")
        return ".zip";
    // A 中間サーバー result file (SHIKAKU-REG-RES, HONNIN-RES, SHOKAI-RES).
    if (kind != nullptr && kind->is_string() && kind->get_string().ends_with("-RES"))
        return ".csv";
    return ".bin";
}

}  // namespace

Receiver::Receiver(const config::SecretBytes& oneway_key, ReceiverOptions options)
    : key_(copy_key(oneway_key)),
      options_(std::move(options)),
      state_(options_.state_dir, options_.inbox_dir) {
    if (state_.newest_session() != 0)
        current_ = std::make_unique<SessionCipher>(key_, state_.newest_session());
}

Receiver::~Receiver() {
    for (const auto& [id, a] : active_) {
        std::error_code ec;
        std::filesystem::remove(a.assembly->partial(), ec);
    }
}

bool Receiver::may_try_session(Clock::time_point now) {
    if (now - session_tries_since_ >= std::chrono::seconds(1)) {
        session_tries_since_ = now;
        session_tries_ = 0;
    }
    return ++session_tries_ <= kNewSessionTriesPerSecond;
}

std::optional<Bytes> Receiver::open(const Header& h, ByteView datagram, Clock::time_point now) {
    if (h.session < state_.newest_session()) {
        ++counters_.replays;  // a session that ended: nothing of it is taken any more
        return std::nullopt;
    }
    SessionCipher* cipher = current_ && current_->session() == h.session ? current_.get() : nullptr;
    if (cipher == nullptr) {
        if (!candidate_ || candidate_->session() != h.session) {
            if (!may_try_session(now)) {
                ++counters_.auth_failures;
                return std::nullopt;
            }
            candidate_ = std::make_unique<SessionCipher>(key_, h.session);
        }
        cipher = candidate_.get();
    }
    if (!cipher->open(h, datagram, body_)) {
        ++counters_.auth_failures;
        return std::nullopt;
    }
    if (cipher == candidate_.get()) {
        // The first authentic datagram of a newer session: the sender restarted.
        if (current_)
            report_unseen_below(newest_announced_ + 1, true);
        accounted_.clear();
        checked_below_.reset();
        newest_announced_ = 0;
        current_ = std::move(candidate_);
        window_ = ReplayWindow();
        state_.record_session(h.session);
        last_heartbeat_counter_ = 0;
        closed_.clear();
        log::notice("one-way sender session started", {{"session", std::to_string(h.session)}});
    }
    if (!window_.accept(h.sequence)) {
        ++counters_.replays;
        return std::nullopt;
    }
    return std::move(body_);
}

void Receiver::handle(ByteView datagram, Clock::time_point now) {
    ++counters_.datagrams;
    counters_.bytes += datagram.size();
    const auto header = parse_header(datagram);
    if (!header) {
        ++counters_.malformed;
        return;
    }
    auto body = open(*header, datagram, now);
    if (!body)
        return;
    try {
        switch (header->type) {
            case Type::transfer_header:
                on_transfer_header(parse_transfer_header(*body), now);
                break;
            case Type::shard: {
                const Shard s = parse_shard(*body);
                if (active_.count(s.id) == 0 && !state_.delivered(s.id) && closed_.count(s.id) == 0)
                    keep_orphan(s, *body);
                else
                    on_shard(s, now);
                break;
            }
            case Type::heartbeat:
                on_heartbeat(parse_heartbeat(*body), now);
                break;
        }
    } catch (const ParseError& e) {
        // Authentic but malformed: a sender bug, never an attacker; dropped all the same.
        ++counters_.malformed;
        log::warning("one-way datagram malformed", {{"reason", e.what()}});
    }
    body_ = std::move(*body);
}

const ReedSolomon& Receiver::code_for(const TransferHeader& t) {
    auto& code = codes_[{t.data_shards, t.parity_shards}];
    if (!code)
        code = std::make_unique<ReedSolomon>(t.data_shards, t.parity_shards);
    return *code;
}

void Receiver::on_transfer_header(const TransferHeader& t, Clock::time_point now) {
    if (state_.delivered(t.id) || refused_.count(t.id) > 0 || closed_.count(t.id) > 0)
        return;
    account(t.number);
    newest_announced_ = std::max(newest_announced_, t.number);
    if (const auto found = active_.find(t.id); found != active_.end()) {
        found->second.last_datagram = now;
        if (same_transfer(found->second.assembly->header(), t))
            return;
        // Authentic, so from our sender: a new session sends the item with another code
        // (a reload changed fec_data) or shard size. Its shards do not fit the old groups:
        // start again from this header.
        log::notice("one-way transfer announced again differently; starting it again",
                    {{"transfer", to_string(t.id)}});
        drop_active(t.id);
    }
    if (active_.size() >= options_.max_active) {
        // Passing: a later header of the same transfer (or its repetition) may fit.
        ++counters_.shards_without_header;
        return;
    }
    std::string why;
    if (t.size > options_.max_transfer)
        why = "larger than the receiver's max_transfer";
    else if (t.groups() > kMaxGroups)
        why = "more FEC groups than the receiver takes";
    else if (!item_extension(t))
        why = "manifest is not a JSON object naming the transfer";
    if (!why.empty()) {
        refused_.insert(t.id);
        ++counters_.refused_transfers;
        log::error("one-way transfer refused", {{"transfer", to_string(t.id)}, {"reason", why}});
        return;
    }
    std::unique_ptr<Assembly> assembly;
    try {
        assembly = std::make_unique<Assembly>(t, state_.partial_path(t.id));
    } catch (const std::system_error& e) {
        // No room or no access in the inbox: later headers try again.
        log::error("one-way transfer cannot be started",
                   {{"transfer", to_string(t.id)}, {"reason", e.what()}});
        return;
    }
    const bool empty = assembly->complete();
    active_.emplace(t.id, Active{std::move(assembly), now});
    pending_loss_.erase(t.id);
    if (empty)
        deliver(t.id);
    else
        adopt_orphans(t.id, now);
}

void Receiver::keep_orphan(const Shard& s, ByteView body) {
    ++counters_.shards_without_header;
    orphans_.push_back({s.id, Bytes(body.begin(), body.end())});
    orphan_bytes_ += body.size();
    while (orphan_bytes_ > kMaxOrphanBytes) {
        orphan_bytes_ -= orphans_.front().body.size();
        orphans_.pop_front();
    }
}

void Receiver::adopt_orphans(const TransferId& id, Clock::time_point now) {
    std::deque<Orphan> rest;
    std::vector<Bytes> mine;
    for (auto& o : orphans_) {
        if (o.id == id)
            mine.push_back(std::move(o.body));
        else
            rest.push_back(std::move(o));
    }
    orphans_ = std::move(rest);
    for (const auto& body : mine) {
        orphan_bytes_ -= body.size();
        --counters_.shards_without_header;
    }
    for (const auto& body : mine) {
        if (active_.count(id) == 0)
            break;  // completed (and delivered) by the shards adopted so far
        on_shard(parse_shard(body), now);
    }
}

void Receiver::on_shard(const Shard& s, Clock::time_point now) {
    const auto found = active_.find(s.id);
    if (found == active_.end())
        return;
    Assembly& a = *found->second.assembly;
    found->second.last_datagram = now;
    if (a.needs_buffer(s) && buffered() + a.group_bytes() > options_.max_buffered) {
        ++counters_.shards_dropped_memory;
        return;
    }
    const auto number = a.header().number;
    try {
        if (a.add(s, code_for(a.header()), counters_.shards_repaired) ==
            Assembly::Added::transfer_complete)
            deliver(s.id);
    } catch (const std::system_error& e) {
        // The partial file failed (disk full, I/O error): this transfer is lost — named,
        // never half delivered — and the receiver goes on with the others.
        declare_lost(s.id, number, std::string("file system: ") + e.what());
    }
}

void Receiver::deliver(const TransferId& id) {
    auto node = active_.extract(id);
    Assembly& a = *node.mapped().assembly;
    try {
        deliver_files(a);
    } catch (const std::system_error& e) {
        delivery_failed(a, e);
    }
}

void Receiver::delivery_failed(const Assembly& a, const std::system_error& e) {
    const TransferId id = a.header().id;
    const auto base = state_.inbox() / to_string(id);
    std::error_code ec;
    std::filesystem::remove(a.partial(), ec);
    if (std::filesystem::exists(std::filesystem::path(base).concat(".json"), ec)) {
        // The manifest is in: the core system has the item. Only the record failed; the
        // manifest itself keeps the id delivered across a restart.
        state_.remember_delivered(id);
        ++counters_.delivered;
        log::error("one-way transfer delivered, but the delivered record failed",
                   {{"transfer", to_string(id)}, {"reason", e.what()}});
        return;
    }
    // Without its manifest the item is not delivered: its file goes too, and a later
    // repetition or session may deliver it when the disk allows.
    std::filesystem::remove(
        std::filesystem::path(base).concat(item_extension(a.header()).value_or(".bin")), ec);
    ++counters_.lost_transfers;
    log::error("one-way transfer complete but not delivered",
               {{"transfer", to_string(id)}, {"reason", e.what()}});
}

void Receiver::deliver_files(Assembly& a) {
    const TransferId id = a.header().id;
    const std::string name = to_string(id);
    if (!a.finish()) {
        ++counters_.corrupt_transfers;
        closed_.insert(id);
        std::filesystem::remove(a.partial());
        state_.record_lost(id, "corrupt: SHA-256 mismatch");
        log::error("one-way transfer corrupt, not delivered: SHA-256 mismatch",
                   {{"transfer", name}, {"transfer_number", a.header().number}});
        return;
    }
    const auto ext = item_extension(a.header()).value_or(".bin");
    std::filesystem::rename(a.partial(), state_.inbox() / (name + ext));
    write_file_atomically(state_.inbox() / (name + ".json"), a.header().manifest, 0640);
    state_.record_delivered(id);
    pending_loss_.erase(id);
    ++counters_.delivered;
    counters_.delivered_bytes += a.header().size;
    log::notice(
        "one-way transfer delivered",
        {{"transfer", name}, {"bytes", a.header().size}, {"transfer_number", a.header().number}});
}

void Receiver::account(std::uint32_t number) {
    if (!checked_below_ || number >= *checked_below_)
        accounted_.insert(number);
}

// Transfer numbers below `limit` that neither a header nor a heartbeat ever named went
// by unseen, and the sender's history has moved past them: lost, with no id to give.
void Receiver::report_unseen_below(std::uint32_t limit, bool ending) {
    if (!checked_below_) {
        // This receiver joined the session here: nothing before it can be judged. When the
        // session ends without a heartbeat seen, the first transfer seen is the start.
        if (!ending || accounted_.empty()) {
            checked_below_ = limit;
            return;
        }
        checked_below_ = *accounted_.begin();
    }
    constexpr std::uint32_t kMaxReported = 10000;
    std::uint32_t unseen = 0;
    for (std::uint32_t n = *checked_below_; n < limit && unseen < kMaxReported; ++n) {
        if (accounted_.count(n))
            continue;
        ++unseen;
        ++counters_.lost_transfers;
        state_.record_lost_unknown(current_ ? current_->session() : 0, n);
        log::error("one-way transfer lost: never seen, and gone from the sender's history",
                   {{"transfer_number", n}});
    }
    if (limit > *checked_below_) {
        accounted_.erase(accounted_.begin(), accounted_.lower_bound(limit));
        checked_below_ = limit;
    }
}

void Receiver::on_heartbeat(const Heartbeat& hb, Clock::time_point now) {
    ++counters_.heartbeats;
    newest_announced_ = std::max(newest_announced_, hb.newest_transfer);
    std::uint32_t lowest = hb.newest_transfer + 1;
    for (const auto& e : hb.history) {
        account(e.number);
        lowest = std::min(lowest, e.number);
    }
    if (!hb.history.empty() || hb.newest_transfer == 0)
        report_unseen_below(lowest, false);
    if (last_heartbeat_counter_ == 0)
        log::notice("one-way heartbeat",
                    {{"sender", hb.sender}, {"newest_transfer", hb.newest_transfer}});
    else if (hb.counter > last_heartbeat_counter_ + 1)
        counters_.heartbeat_gaps += hb.counter - last_heartbeat_counter_ - 1;
    if (silence_reported_)
        log::notice("one-way heartbeats back", {{"sender", hb.sender}});
    last_heartbeat_counter_ = std::max(last_heartbeat_counter_, hb.counter);
    last_heartbeat_ = now;
    silence_reported_ = false;
    for (const auto& e : hb.history) {
        if (state_.delivered(e.id) || state_.reported_lost(e.id) || pending_loss_.count(e.id))
            continue;
        pending_loss_[e.id] = {e.number, now + options_.loss_grace,
                               e.outcome == Outcome::abandoned};
    }
}

void Receiver::tick(Clock::time_point now) {
    for (auto it = pending_loss_.begin(); it != pending_loss_.end();) {
        if (it->second.due > now) {
            ++it;
            continue;
        }
        const auto [id, loss] = *it;
        it = pending_loss_.erase(it);
        if (state_.delivered(id))
            continue;
        const auto a = active_.find(id);
        const std::string why =
            loss.abandoned           ? "abandoned by the sender"
            : refused_.count(id) > 0 ? "refused by this receiver"
            : a != active_.end() ? std::to_string(a->second.assembly->groups_missing()) + " of " +
                                       std::to_string(a->second.assembly->header().groups()) +
                                       " FEC groups beyond repair"
                                 : "never seen";
        declare_lost(id, loss.number, why);
    }
    for (auto it = active_.begin(); it != active_.end();) {
        const auto id = it++->first;
        const auto& a = active_.at(id);
        if (now - a.last_datagram > options_.idle_transfer && !pending_loss_.count(id))
            declare_lost(id, a.assembly->header().number,
                         "incomplete and no datagram for it since " +
                             std::to_string(options_.idle_transfer.count() / 1000) + " s");
    }
    if (last_heartbeat_ && !silence_reported_ &&
        now - *last_heartbeat_ > options_.heartbeat_silence) {
        silence_reported_ = true;
        ++counters_.heartbeat_gaps;
        log::warning("no one-way heartbeat for 3 s: the sender or the link is down");
    }
}

void Receiver::declare_lost(const TransferId& id, std::uint32_t number, const std::string& why) {
    if (const auto a = active_.find(id); a != active_.end())
        counters_.lost_groups += a->second.assembly->groups_missing();
    drop_active(id);
    closed_.insert(id);
    ++counters_.lost_transfers;
    state_.record_lost(id, why);
    log::error("one-way transfer lost",
               {{"transfer", to_string(id)}, {"transfer_number", number}, {"reason", why}});
}

void Receiver::drop_active(const TransferId& id) {
    const auto it = active_.find(id);
    if (it == active_.end())
        return;
    std::error_code ec;
    std::filesystem::remove(it->second.assembly->partial(), ec);
    active_.erase(it);
}

std::uint64_t Receiver::buffered() const {
    std::uint64_t n = 0;
    for (const auto& [id, a] : active_)
        n += a.assembly->buffered_bytes();
    return n;
}

ReceiverCounters Receiver::counters() const {
    ReceiverCounters c = counters_;
    c.buffered_bytes = buffered();
    c.active_transfers = active_.size();
    return c;
}

}  // namespace sekisho::oneway

#include "daemon/control/item_commands.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <map>

#include "common/time_format.hpp"
#include "daemon/control/commands.hpp"
#include "daemon/control/request_fields.hpp"
#include "daemon/control/service.hpp"
#include "daemon/source_notices.hpp"

namespace sekisho::control {
namespace {

using queue::State;
namespace json = boost::json;

constexpr std::size_t kListLimit = 10'000;
constexpr std::size_t kMaxReasonBytes = 4096;

json::value parse_or_text(const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    return ec ? json::value(text) : v;
}

json::object release_json(const queue::ReleaseRecord& r) {
    json::object o;
    o["state"] = r.state;
    o["requested_by"] = r.requested_by;
    o["requested_at"] = rfc3339_utc(r.requested_ms);
    if (r.expires_ms)
        o["expires_at"] = rfc3339_utc(*r.expires_ms);
    if (!r.approved_by.empty()) {
        o["approved_by"] = r.approved_by;
        o["approved_at"] = rfc3339_utc(r.approved_ms.value_or(0));
    }
    return o;
}

std::optional<State> state_field(const json::object& request) {
    const auto text = optional_text(request, "state", 32);
    if (!text)
        return std::nullopt;
    const auto s = queue::parse_state(*text);
    if (!s)
        throw BadRequest("unknown state \"" + *text + "\"");
    return s;
}

// The notice the item's source is owed (none for an unknown item: the action refuses it).
template <class Make>
std::optional<queue::NoticeRequest> notice_for(queue::Queue& q, const queue::ItemId& id,
                                               Make make) {
    const auto item = q.find(id);
    return item ? make(*item) : std::nullopt;
}

// What an action does to one item; throws with the reason when it cannot.
using ItemAction = std::function<json::object(const queue::ItemId&)>;

struct Outcome {
    std::map<std::string, std::int64_t> counts;  // result → items
    std::int64_t refused = 0;
};

json::object done_row(const queue::ItemId& id, const std::string& result) {
    json::object o;
    o["id"] = id.str();
    o["result"] = result;
    return o;
}

void require_state(queue::Queue& q, const queue::ItemId& id, std::initializer_list<State> ok,
                   const std::string& command) {
    const auto item = q.find(id);
    if (!item)
        throw queue::NotFound("no item " + id.str());
    std::string names;
    for (State s : ok) {
        if (item->state == s)
            return;
        const std::string n(queue::name(s));
        if (names.find(n) == std::string::npos)
            names += (names.empty() ? "" : " or ") + n;
    }
    throw queue::IllegalTransition(command + " applies to " + names + " items; " + id.str() +
                                   " is " + std::string(queue::name(item->state)));
}

// At most kMaxIdsPerRequest ids; `more` tells whether items were left for another run.
std::vector<queue::ItemId> all_in(queue::Queue& q, const std::vector<State>& states, bool& more) {
    std::vector<queue::ItemId> ids;
    for (State s : states) {
        for (const auto& item : q.list(s, std::nullopt, kMaxIdsPerRequest + 1))
            ids.push_back(item.id);
    }
    more = ids.size() > kMaxIdsPerRequest;
    if (more)
        ids.resize(kMaxIdsPerRequest);
    return ids;
}

std::string summary(const Outcome& o) {
    std::string s;
    for (const auto& [result, n] : o.counts)
        s += (s.empty() ? "" : ", ") + result + " " + std::to_string(n);
    if (s.empty())
        s = "no items";
    return s + ", refused " + std::to_string(o.refused);
}

// A refused item is audited on its own, with the reason (a self-approval, an expired
// request, an item in the wrong state): the auditor sees what was attempted on which item.
void audit_refusal(queue::Queue& q, const queue::Actor& actor, const std::string& command,
                   const queue::ItemId& id, const std::string& reason) {
    const auto item = q.find(id);
    q.record(actor, {command + " refused",
                     item ? std::optional(id) : std::nullopt,
                     item ? std::optional(item->sha256) : std::nullopt,
                     {{"command", command}, {"result", "refused"}, {"reason", reason}}});
}

Outcome apply_each(queue::Queue& q, const queue::Actor& actor, const std::string& command,
                   const std::vector<queue::ItemId>& ids, const ItemAction& action,
                   Replier& reply) {
    Outcome out;
    for (const auto& id : ids) {
        json::object row;
        try {
            row = action(id);
            ++out.counts[std::string(row["result"].as_string())];
        } catch (const std::exception& e) {
            row = done_row(id, "refused");
            row["reason"] = e.what();
            ++out.refused;
            audit_refusal(q, actor, command, id, e.what());
        }
        reply.row(std::move(row));
    }
    return out;
}

ItemAction release_action(queue::Queue& q, const config::Settings& settings,
                          const queue::Actor& actor) {
    const auto timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(settings.release.approval_timeout);
    if (!settings.release.require_approval) {
        return [&q, actor](const queue::ItemId& id) {
            q.release(id, actor, notice_for(q, id, daemon::accepted_notice));
            return done_row(id, "released");
        };
    }
    return [&q, actor, timeout](const queue::ItemId& id) {
        const auto r = q.request_release(id, actor, timeout);
        auto row = done_row(id, "awaiting approval");
        row["expires_at"] = rfc3339_utc(r.expires_ms.value_or(0));
        return row;
    };
}

ItemAction approve_action(queue::Queue& q, const queue::Actor& actor) {
    return [&q, actor](const queue::ItemId& id) {
        switch (q.approve_release(id, actor, notice_for(q, id, daemon::accepted_notice))) {
            case queue::ApprovalOutcome::released:
                return done_row(id, "released");
            case queue::ApprovalOutcome::none_pending:
                throw queue::IllegalTransition("no release of " + id.str() +
                                               " is waiting for approval");
            case queue::ApprovalOutcome::own_request:
                throw queue::IllegalTransition(
                    "you asked for the release of " + id.str() +
                    "; a different approver must approve it (two-person rule)");
            case queue::ApprovalOutcome::expired:
                break;
        }
        throw queue::IllegalTransition("the release request for " + id.str() +
                                       " had expired; an operator must release it again");
    };
}

ItemAction reject_action(queue::Queue& q, const queue::Actor& actor, const std::string& reason) {
    // The index keeps the code only: the text, typed by a person, goes to the filer in the
    // notice and is not kept in clear beside the item.
    json::array reasons;
    reasons.push_back({{"code", "E-OPERATOR"},
                       {"where", "operator"},
                       {"detail", "rejected by an operator (the reason went to the filer)"}});
    const std::string reasons_json = json::serialize(reasons);
    return [&q, actor, reason, reasons_json](const queue::ItemId& id) {
        require_state(q, id, {State::staged, State::held}, "reject");
        q.transition(id,
                     {.to = State::rejected,
                      .action = "reject",
                      .verdict = "reject",
                      .reasons_json = reasons_json,
                      .details = {{"code", "E-OPERATOR"}},
                      .notice = notice_for(q, id,
                                           [&](const queue::ItemInfo& item) {
                                               return daemon::returned_notice(item, "E-OPERATOR",
                                                                              reason);
                                           })},
                     actor);
        return done_row(id, "rejected");
    };
}

ItemAction move_action(queue::Queue& q, const queue::Actor& actor, State from_a, State from_b,
                       State to, const std::string& command, const std::string& result) {
    return [&q, actor, from_a, from_b, to, command, result](const queue::ItemId& id) {
        require_state(q, id, {from_a, from_b}, command);
        q.transition(id, {.to = to, .action = command}, actor);
        return done_row(id, result);
    };
}

}  // namespace

json::object item_json(const queue::ItemInfo& item,
                       const std::optional<queue::ReleaseRecord>& release) {
    json::object o;
    o["id"] = item.id.str();
    o["state"] = queue::name(item.state);
    o["source"] = item.source;
    o["kind"] = item.kind;
    o["external_id"] = item.external_id;
    o["size"] = item.size;
    o["sha256"] = queue::to_hex(item.sha256);
    o["created_at"] = rfc3339_utc(item.created_ms);
    o["state_since"] = rfc3339_utc(item.state_since_ms);
    o["verdict"] = item.verdict ? json::value(*item.verdict) : json::value(nullptr);
    o["reasons"] = parse_or_text(item.reasons_json);
    o["attempts"] = item.attempts;
    json::array flags;
    for (const auto& f : item.flags)
        flags.emplace_back(f);
    o["flags"] = std::move(flags);
    if (release)
        o["release"] = release_json(*release);
    return o;
}

json::object request_json(const queue::OutboundRequest& r) {
    json::object o{{"id", r.item.str()},
                   {"client_request_id", r.client_request_id},
                   {"request_id", r.request_id},
                   {"status", r.status},
                   {"uploaded_at", rfc3339_utc(r.uploaded_ms)}};
    if (!r.result_id.empty())
        o["result_id"] = r.result_id;
    if (r.result_item)
        o["result_item"] = r.result_item->str();
    if (r.checked_ms)
        o["checked_at"] = rfc3339_utc(*r.checked_ms);
    return o;
}

void run_list(queue::Queue& q, const json::object& request, Replier& reply) {
    const auto state = state_field(request);
    const auto source = optional_text(request, "source", 32);
    std::map<queue::ItemId, queue::ReleaseRecord> pending;
    for (auto& r : q.pending_releases())
        pending.emplace(r.item, r);
    std::int64_t n = 0;
    bool cut = false;
    // Purged items are tombstones: shown only when asked for.
    for (State s : queue::kAllStates) {
        if (state ? s != *state : s == State::purged)
            continue;
        const auto items = q.list(s, source, kListLimit);
        cut = cut || items.size() == kListLimit;
        for (const auto& item : items) {
            const auto p = pending.find(item.id);
            reply.row(
                item_json(item, p == pending.end() ? std::nullopt : std::optional(p->second)));
            ++n;
        }
    }
    reply.done(kExitOk,
               std::to_string(n) + " items" +
                   (cut ? " (at most 10000 per state shown: narrow with --state or "
                          "--source)"
                        : ""),
               {{"items", n}, {"truncated", cut}});
}

void run_show(queue::Queue& q, const json::object& request, const queue::Actor& actor, bool content,
              Replier& reply) {
    const auto ids = item_ids(request);
    if (ids.empty())
        throw BadRequest("show needs an item id");
    std::int64_t missing = 0;
    for (const auto& id : ids) {
        const auto item = q.find(id);
        if (!item) {
            ++missing;
            reply.row(
                json::object{{"id", id.str()}, {"result", "refused"}, {"reason", "no such item"}});
            continue;
        }
        auto o = item_json(*item, q.release_record(id));
        // A submitted request: where it stands at the 中間サーバー; a result: which request
        // it answers.
        if (const auto r = q.outbound_request(id))
            o["upload"] = request_json(*r);
        if (const auto r = q.request_answered_by(id))
            o["answers"] = request_json(*r);
        if (content && queue::payload_expected(item->state)) {
            o["content"] = parse_or_text(std::string(q.read_personal(id).view()));
            q.record(actor, {"content viewed", id, item->sha256, {}});
        }
        reply.row(std::move(o));
    }
    reply.done(missing == 0 ? kExitOk : kExitFailed,
               missing == 0 ? "" : std::to_string(missing) + " items not found");
}

void run_item_action(queue::Queue& q, DaemonView& view, const config::Settings& settings,
                     const std::string& command, const queue::Actor& actor,
                     const json::object& request, Replier& reply) {
    const bool all = flag(request, "all");
    std::vector<queue::ItemId> ids = item_ids(request);
    if (all == !ids.empty())
        throw BadRequest(command + " needs item ids or ALL (not both)");
    if (all && command == "approve")
        throw BadRequest("approve takes item ids, not ALL: each release is approved on its own");
    ItemAction action;
    std::vector<State> all_states{State::staged};
    if (command == "release") {
        action = release_action(q, settings, actor);
    } else if (command == "approve") {
        action = approve_action(q, actor);
    } else if (command == "reject") {
        const std::string reason = required_text(request, "reason", kMaxReasonBytes);
        if (const auto problem = reason_text_problem(reason))
            throw BadRequest(*problem);
        action = reject_action(q, actor, reason);
        all_states = {State::staged, State::held};
    } else if (command == "hold") {
        action = move_action(q, actor, State::staged, State::staged, State::held, "hold", "held");
    } else {
        action = move_action(q, actor, State::held, State::staged, State::inspecting, "requeue",
                             "requeued");
        all_states = {State::held};
    }
    bool more = false;
    if (all)
        ids = all_in(q, all_states, more);
    const Outcome out = apply_each(q, actor, command, ids, action, reply);
    view.items_changed();
    json::object result;
    for (const auto& [k, n] : out.counts)
        result[k] = n;
    result["refused"] = out.refused;
    result["more"] = more;
    std::string message = summary(out);
    if (more)
        message += "; only the first 10000 were taken: run it again for the rest";
    reply.done(out.refused == 0 && !more ? kExitOk : kExitFailed, message, std::move(result));
}

}  // namespace sekisho::control

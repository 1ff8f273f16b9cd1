#include "adapters/mynaportal/poller.hpp"

#include <unistd.h>

#include <algorithm>

#include "adapters/http/concurrency.hpp"
#include "common/backoff.hpp"
#include "common/log.hpp"

namespace sekisho::mynaportal {
namespace {

using boost::asio::awaitable;
using http::all_of;
using http::Offload;
constexpr std::size_t kMaxPassword = 1024;
constexpr std::size_t kNoticesPerCycle = 500;

const queue::NoticeRequest kReceived{"received", "", ""};

// The state the connections of one cycle share. They all run on the event loop's single
// thread, so the cursor and the report need no lock.
struct Crew {
    queue::Queue& q;
    const PollSettings& s;
    CycleReport& r;
    Offload& offload;
    std::size_t next = 0;  // the next filing or notice to hand out
    bool stop = false;     // the cycle ends: hand out nothing more
};

config::SecretBytes load_password(const PollSettings& s) {
    return config::load_secret(
        s.password, {.owner = ::geteuid(), .max_size = kMaxPassword, .strip_newline = true});
}

// Items committed before a crash whose `downloaded` was never sent.
awaitable<void> confirm_stored(queue::Queue& q, ApiClient& api) {
    for (const auto& item : q.unconfirmed(kSource)) {
        std::string arrive_id = item.external_id;
        co_await api.mark_downloaded(std::move(arrive_id));
        q.confirm_to_source(item.id, kReceived);
        log::info("told Mynaportal about a filing stored before a restart",
                  {{"item", item.id.str()}, {"arrive_id", item.external_id}});
    }
}

awaitable<std::vector<Filing>> list_arrived(ApiClient& api, const PollSettings& s, CycleReport& r) {
    // The whole list first: marking filings downloaded while paging would shift the offsets.
    std::vector<Filing> all;
    for (std::uint64_t offset = 0; all.size() < s.max_filings_per_cycle;) {
        ListPage page = co_await api.list(offset, s.page_size);
        if (page.offset != offset)
            throw ProtocolError("the service answered another page");
        for (auto& f : page.filings)
            all.push_back(std::move(f));
        offset += page.filings.size();
        if (page.filings.empty() || offset >= page.total)
            break;
    }
    r.listed = static_cast<std::int64_t>(all.size());
    co_return all;
}

// Takes one filing: in the queue durably, then `downloaded`, then confirmed. The queue
// calls go through the offload pool; each lambda is a named value (g++ 12 destroys a
// temporary argument of a co_await expression twice).
awaitable<void> take(Crew& c, ApiClient& api, const Filing& f) {
    queue::Queue& q = c.q;
    auto lookup = [&q, arrive_id = f.arrive_id] { return q.find_external(kSource, arrive_id); };
    const auto known = co_await c.offload.run(std::move(lookup));
    if (known) {
        std::string arrive_id = f.arrive_id;
        co_await api.mark_downloaded(std::move(arrive_id));
        auto confirm = [&q, id = known->id] { q.confirm_to_source(id, kReceived); };
        co_await c.offload.run(std::move(confirm));
        ++c.r.already_had;
        co_return;
    }
    const auto started = std::chrono::steady_clock::now();
    const std::string meta = filing_metadata(f);
    auto writer =
        q.begin({std::string(kSource), f.arrive_id, "filing",
                 config::SecretBytes(std::vector<unsigned char>(meta.begin(), meta.end())),
                 c.s.limits.max_package});
    Filing filing = f;
    co_await api.download(std::move(filing), writer);
    // Durable when it returns: only then may the service hear `downloaded`.
    auto commit = [&q, w = std::move(writer)]() mutable { return q.commit(std::move(w)); };
    const auto result = co_await c.offload.run(std::move(commit));
    c.r.fetch_duration.observe(std::chrono::steady_clock::now() - started);
    std::string arrive_id = f.arrive_id;
    co_await api.mark_downloaded(std::move(arrive_id));
    auto confirm = [&q, result] {
        q.confirm_to_source(result.id, kReceived);
        if (result.outcome == queue::EnqueueOutcome::duplicate_digest)
            q.add_notice(result.id,
                         {"returned", "E-DUPLICATE", "この届出は既に受け付けています。"});
    };
    co_await c.offload.run(std::move(confirm));
    ++c.r.taken;
    log::info("filing stored",
              {{"item", result.id.str()}, {"arrive_id", f.arrive_id}, {"size", f.size}});
}

// One connection's share of the filings: the next one not yet handed out, until none is
// left or the cycle ends.
awaitable<void> take_some(Crew& c, ApiClient& api, const std::vector<Filing>& filings) {
    while (!c.stop && c.next < filings.size()) {
        const Filing& f = filings[c.next++];
        bool reconnect = false;
        try {
            co_await take(c, api, f);
        } catch (const queue::QueueFull& e) {
            c.r.queue_full = true;
            c.stop = true;
            log::warning("queue refuses new items; fetching stops", {{"reason", e.what()}});
            co_return;
        } catch (const TransferError& e) {
            ++c.r.failed;
            log::warning("filing not taken, retried next cycle",
                         {{"arrive_id", f.arrive_id}, {"reason", e.what()}});
        } catch (const ApiError& e) {
            ++c.r.failed;
            log::warning(
                "filing not taken, retried next cycle",
                {{"arrive_id", f.arrive_id}, {"status", e.problem().status}, {"reason", e.what()}});
            if (e.problem().status == 429 || e.problem().status == 503) {
                c.stop = true;
                throw;
            }
        } catch (const http::TransportError& e) {
            // The connection broke with this filing (reset, truncation, timeout): the
            // others still get their turn on a new connection.
            ++c.r.failed;
            log::warning("filing not taken, retried next cycle",
                         {{"arrive_id", f.arrive_id}, {"reason", e.what()}});
            reconnect = true;
        } catch (...) {
            c.stop = true;  // anything else ends the cycle, for every connection
            throw;
        }
        if (reconnect) {
            try {
                co_await api.reconnect();
            } catch (...) {
                c.stop = true;
                throw;
            }
        }
    }
}

awaitable<void> take_all(Crew& c, const std::vector<ApiClient*>& apis,
                         const std::vector<Filing>& filings) {
    c.next = 0;
    std::vector<awaitable<void>> tasks;
    for (std::size_t i = 0; i < apis.size() && i < filings.size(); ++i)
        tasks.push_back(take_some(c, *apis[i], filings));
    co_await all_of(std::move(tasks));
}

// Sends one notice; a failure that the next notices would meet too ends the cycle.
awaitable<void> send_notice(Crew& c, ApiClient& api, const queue::Notice& n) {
    try {
        std::string arrive_id = n.external_id;
        queue::NoticeRequest request = n.request;
        const auto id = co_await api.notice(std::move(arrive_id), std::move(request));
        if (id) {
            c.q.notice_delivered(n.id, *id);
            ++c.r.notices_sent;
        } else {
            c.q.notice_closed(n.id, "409 notice-conflict");
            ++c.r.notices_closed;
            log::warning("notice refused as a conflict: a final notice was sent before",
                         {{"item", n.item.str()}, {"kind", n.request.kind}});
        }
    } catch (const ApiError& e) {
        if (!e.retryable() && e.problem().status != 401) {
            c.q.notice_closed(n.id, std::to_string(e.problem().status) + " " + e.problem().type);
            log::error("notice refused by Mynaportal",
                       {{"item", n.item.str()}, {"status", e.problem().status}});
            co_return;
        }
        const auto wait = backoff_delay(static_cast<int>(n.attempts), c.s.notice_retry_base,
                                        std::chrono::hours(1), e.problem().retry_after);
        c.q.notice_retry(n.id, std::chrono::system_clock::now() + wait);
        c.stop = true;
        throw;
    } catch (...) {
        c.stop = true;
        throw;
    }
}

// One connection's share of the due notices. The queue hands out at most one notice per
// item, so the notices of one item still reach the service in the order they were made.
awaitable<void> send_some(Crew& c, ApiClient& api, const std::vector<queue::Notice>& due) {
    while (!c.stop && c.next < due.size())
        co_await send_notice(c, api, due[c.next++]);
}

awaitable<void> send_notices(Crew& c, const std::vector<ApiClient*>& apis) {
    const auto due = c.q.due_notices(kSource, std::chrono::system_clock::now(), kNoticesPerCycle);
    c.next = 0;
    c.stop = false;
    std::vector<awaitable<void>> tasks;
    for (std::size_t i = 0; i < apis.size() && i < due.size(); ++i)
        tasks.push_back(send_some(c, *apis[i], due));
    co_await all_of(std::move(tasks));
}

awaitable<void> run(Crew& c, ApiClient& api, const std::vector<ApiClient*>& apis) {
    co_await api.connect();
    std::string user_id = c.s.user_id;
    config::SecretBytes password = load_password(c.s);
    const Session session = co_await api.login(std::move(user_id), std::move(password));
    c.r.password_expires_at_ms = session.password_expires_at_ms;
    for (ApiClient* helper : apis) {
        if (helper != &api)
            helper->share_session(api);
    }
    co_await confirm_stored(c.q, api);
    if (!c.q.accepting_new_items()) {
        c.r.queue_full = true;
    } else {
        const auto filings = co_await list_arrived(api, c.s, c.r);
        co_await take_all(c, apis, filings);
    }
    co_await send_notices(c, apis);
    co_await api.logout();
}

// The helper connections: a session of their own (a re-login) is logged out, then each
// is closed. Their failures change nothing: the cycle's outcome is already known.
awaitable<void> dismiss(std::vector<std::unique_ptr<ApiClient>>& helpers) {
    for (auto& helper : helpers) {
        try {
            if (helper->owns_session())
                co_await helper->logout();
        } catch (const std::exception& e) {
            log::info("a helper connection's logout failed", {{"reason", e.what()}});
        }
        try {
            co_await helper->close();
        } catch (const std::exception&) {
            // The connection is gone either way.
        }
    }
}

}  // namespace

awaitable<CycleReport> poll_once(queue::Queue& q, PollSettings s) {
    CycleReport r;
    const std::size_t width = std::clamp<std::size_t>(s.concurrency, 1, kMaxConcurrency);
    ApiClient api(s.endpoint, s.tls, s.timeouts, s.limits);
    std::vector<std::unique_ptr<ApiClient>> helpers;
    std::vector<ApiClient*> apis{&api};
    for (std::size_t i = 1; i < width; ++i) {
        helpers.push_back(std::make_unique<ApiClient>(s.endpoint, s.tls, s.timeouts, s.limits));
        apis.push_back(helpers.back().get());
    }
    {
        Offload offload(width);
        Crew crew{q, s, r, offload};
        try {
            co_await run(crew, api, apis);
        } catch (const ApiError& e) {
            r.error = std::string("Mynaportal answered ") + e.what();
            r.retry_after = e.problem().retry_after;
            r.password_expired = e.problem().type == "password-expired";
        } catch (const std::exception& e) {
            r.error = e.what();
        }
    }
    co_await dismiss(helpers);
    try {
        co_await api.close();
    } catch (const std::exception&) {
        // The connection is gone either way; its failure was reported above.
    }
    co_return r;
}

}  // namespace sekisho::mynaportal

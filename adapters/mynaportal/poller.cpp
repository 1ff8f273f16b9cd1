#include "adapters/mynaportal/poller.hpp"

#include <unistd.h>

#include "common/backoff.hpp"
#include "common/log.hpp"

namespace sekisho::mynaportal {
namespace {

using boost::asio::awaitable;
constexpr std::size_t kMaxPassword = 1024;
constexpr std::size_t kNoticesPerCycle = 500;

const queue::NoticeRequest kReceived{"received", "", ""};

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

// Takes one filing; true when it is in the queue and the service was told.
awaitable<void> take(queue::Queue& q, ApiClient& api, const PollSettings& s, const Filing& f,
                     CycleReport& r) {
    if (const auto known = q.find_external(kSource, f.arrive_id)) {
        std::string arrive_id = f.arrive_id;
        co_await api.mark_downloaded(std::move(arrive_id));
        q.confirm_to_source(known->id, kReceived);
        ++r.already_had;
        co_return;
    }
    const std::string meta = filing_metadata(f);
    auto writer =
        q.begin({std::string(kSource), f.arrive_id, "filing",
                 config::SecretBytes(std::vector<unsigned char>(meta.begin(), meta.end())),
                 s.limits.max_package});
    Filing filing = f;
    co_await api.download(std::move(filing), writer);
    const auto result = q.commit(std::move(writer));
    std::string arrive_id = f.arrive_id;
    co_await api.mark_downloaded(std::move(arrive_id));
    q.confirm_to_source(result.id, kReceived);
    if (result.outcome == queue::EnqueueOutcome::duplicate_digest) {
        q.add_notice(result.id, {"returned", "E-DUPLICATE", "この届出は既に受け付けています。"});
    }
    ++r.taken;
    log::info("filing stored",
              {{"item", result.id.str()}, {"arrive_id", f.arrive_id}, {"size", f.size}});
}

awaitable<void> take_all(queue::Queue& q, ApiClient& api, const PollSettings& s,
                         const std::vector<Filing>& filings, CycleReport& r) {
    for (const auto& f : filings) {
        bool reconnect = false;
        try {
            co_await take(q, api, s, f, r);
        } catch (const queue::QueueFull& e) {
            r.queue_full = true;
            log::warning("queue refuses new items; fetching stops", {{"reason", e.what()}});
            co_return;
        } catch (const TransferError& e) {
            ++r.failed;
            log::warning("filing not taken, retried next cycle",
                         {{"arrive_id", f.arrive_id}, {"reason", e.what()}});
        } catch (const ApiError& e) {
            ++r.failed;
            log::warning(
                "filing not taken, retried next cycle",
                {{"arrive_id", f.arrive_id}, {"status", e.problem().status}, {"reason", e.what()}});
            if (e.problem().status == 429 || e.problem().status == 503)
                throw;
        } catch (const http::TransportError& e) {
            // The connection broke with this filing (reset, truncation, timeout): the
            // others still get their turn on a new connection.
            ++r.failed;
            log::warning("filing not taken, retried next cycle",
                         {{"arrive_id", f.arrive_id}, {"reason", e.what()}});
            reconnect = true;
        }
        if (reconnect)
            co_await api.reconnect();
    }
}

awaitable<void> send_notices(queue::Queue& q, ApiClient& api, const PollSettings& s,
                             CycleReport& r) {
    for (const auto& n :
         q.due_notices(kSource, std::chrono::system_clock::now(), kNoticesPerCycle)) {
        try {
            std::string arrive_id = n.external_id;
            queue::NoticeRequest request = n.request;
            const auto id = co_await api.notice(std::move(arrive_id), std::move(request));
            if (id) {
                q.notice_delivered(n.id, *id);
                ++r.notices_sent;
            } else {
                q.notice_closed(n.id, "409 notice-conflict");
                ++r.notices_closed;
                log::warning("notice refused as a conflict: a final notice was sent before",
                             {{"item", n.item.str()}, {"kind", n.request.kind}});
            }
        } catch (const ApiError& e) {
            if (!e.retryable() && e.problem().status != 401) {
                q.notice_closed(n.id, std::to_string(e.problem().status) + " " + e.problem().type);
                log::error("notice refused by Mynaportal",
                           {{"item", n.item.str()}, {"status", e.problem().status}});
                continue;
            }
            const auto wait = backoff_delay(static_cast<int>(n.attempts), s.notice_retry_base,
                                            std::chrono::hours(1), e.problem().retry_after);
            q.notice_retry(n.id, std::chrono::system_clock::now() + wait);
            throw;
        }
    }
}

awaitable<void> run(queue::Queue& q, const PollSettings& s, ApiClient& api, CycleReport& r) {
    co_await api.connect();
    std::string user_id = s.user_id;
    config::SecretBytes password = load_password(s);
    const Session session = co_await api.login(std::move(user_id), std::move(password));
    r.password_expires_at_ms = session.password_expires_at_ms;
    co_await confirm_stored(q, api);
    if (!q.accepting_new_items()) {
        r.queue_full = true;
    } else {
        const auto filings = co_await list_arrived(api, s, r);
        co_await take_all(q, api, s, filings, r);
    }
    co_await send_notices(q, api, s, r);
    co_await api.logout();
}

}  // namespace

awaitable<CycleReport> poll_once(queue::Queue& q, PollSettings s) {
    CycleReport r;
    ApiClient api(s.endpoint, s.tls, s.timeouts, s.limits);
    try {
        co_await run(q, s, api, r);
    } catch (const ApiError& e) {
        r.error = std::string("Mynaportal answered ") + e.what();
        r.retry_after = e.problem().retry_after;
        r.password_expired = e.problem().type == "password-expired";
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    try {
        co_await api.close();
    } catch (const std::exception&) {
        // The connection is gone either way; its failure was reported above.
    }
    co_return r;
}

}  // namespace sekisho::mynaportal

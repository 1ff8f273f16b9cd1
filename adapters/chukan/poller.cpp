#include "adapters/chukan/poller.hpp"

#include <netdb.h>

#include <boost/asio/ip/address.hpp>

#include "adapters/http/concurrency.hpp"
#include "common/log.hpp"

namespace sekisho::chukan {
namespace {

using boost::asio::awaitable;
using http::Offload;
constexpr std::size_t kUploadsPerCycle = 100;
constexpr std::size_t kStatusChecksPerCycle = 500;
// A request whose status could not be had is asked about again after this.
constexpr auto kStatusProblemPause = std::chrono::minutes(5);

// Failures every later call would meet too: the service asks to wait.
bool ends_cycle(const ApiError& e) {
    return e.problem().status == 429 || e.problem().status == 503;
}

// What one cycle's steps share; all on the event loop's thread.
struct Cycle {
    queue::Queue& q;
    const PollSettings& s;
    CycleReport& r;
    Offload& offload;
};

std::vector<boost::asio::ip::address> addresses_of(const http::Endpoint& endpoint) {
    boost::system::error_code ec;
    const auto literal = boost::asio::ip::make_address(endpoint.host, ec);
    if (!ec)
        return {literal};
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(endpoint.host.c_str(), nullptr, &hints, &found); rc != 0)
        throw PathRefused("cannot resolve " + endpoint.host + ": " + ::gai_strerror(rc));
    std::vector<boost::asio::ip::address> out;
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            const auto* in = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
            out.push_back(boost::asio::ip::address_v4(ntohl(in->sin_addr.s_addr)));
        } else if (a->ai_family == AF_INET6) {
            const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
            boost::asio::ip::address_v6::bytes_type bytes;
            std::copy(std::begin(in6->sin6_addr.s6_addr), std::end(in6->sin6_addr.s6_addr),
                      bytes.begin());
            out.push_back(boost::asio::ip::address_v6(bytes));
        }
    }
    ::freeaddrinfo(found);
    return out;
}

// The guard ApiClient runs before each connection: the check itself runs on the pool.
awaitable<std::vector<std::string>> guard_path(Offload& offload, IpsecCheck check,
                                               http::Endpoint endpoint) {
    auto check_now = [check, endpoint] { return require_protected_path(check, endpoint); };
    co_return co_await offload.run(std::move(check_now));
}

// Result files committed before a crash whose ack was never sent.
awaitable<void> ack_stored(Cycle& c, ApiClient& api) {
    queue::Queue& q = c.q;
    auto lookup = [&q] { return q.unconfirmed(kSource); };
    const auto items = co_await c.offload.run(std::move(lookup));
    for (const auto& item : items) {
        std::string result_id = item.external_id;
        bool gone = false;  // the service no longer knows the file: nothing left to ack
        try {
            co_await api.ack(std::move(result_id));
        } catch (const ApiError& e) {
            if (e.problem().status != 404)
                throw;
            gone = true;
        }
        auto confirm = [&q, id = item.id] { q.confirm_to_source(id, std::nullopt); };
        co_await c.offload.run(std::move(confirm));
        if (gone) {
            log::warning("the chukan server no longer knows a stored result file; not acked",
                         {{"item", item.id.str()}, {"result_id", item.external_id}});
        } else {
            log::info("acknowledged a result file stored earlier (its ack had not gone through)",
                      {{"item", item.id.str()}, {"result_id", item.external_id}});
        }
    }
}

awaitable<std::vector<ResultEntry>> list_all(Cycle& c, ApiClient& api) {
    // The whole list first: acknowledging while paging would shift the offsets.
    std::vector<ResultEntry> all;
    for (std::uint64_t offset = 0; all.size() < c.s.max_results_per_cycle;) {
        ResultPage page = co_await api.list_results(offset, c.s.page_size);
        offset += page.results.size();
        for (auto& e : page.results)
            all.push_back(std::move(e));
        if (page.results.empty() || offset >= page.total)
            break;
    }
    c.r.listed = static_cast<std::int64_t>(all.size());
    co_return all;
}

// One result file: durably in the queue, then acknowledged, then linked to its request.
awaitable<void> take(Cycle& c, ApiClient& api, const ResultEntry& e) {
    queue::Queue& q = c.q;
    auto lookup = [&q, id = e.result_id] { return q.find_external(kSource, id); };
    if (const auto known = co_await c.offload.run(std::move(lookup))) {
        std::string result_id = e.result_id;
        co_await api.ack(std::move(result_id));
        auto confirm = [&q, id = known->id] { q.confirm_to_source(id, std::nullopt); };
        co_await c.offload.run(std::move(confirm));
        ++c.r.already_had;
        co_return;
    }
    const auto started = std::chrono::steady_clock::now();
    const std::string meta = result_metadata(e);
    auto writer =
        q.begin({std::string(kSource), e.result_id, e.kind,
                 config::SecretBytes(std::vector<unsigned char>(meta.begin(), meta.end())),
                 c.s.limits.max_file});
    ResultEntry entry = e;
    std::function<void(std::span<const unsigned char>)> sink =
        [&writer](std::span<const unsigned char> chunk) { writer.write(chunk); };
    co_await api.download(std::move(entry), std::move(sink));
    auto commit = [&q, w = std::move(writer)]() mutable { return q.commit(std::move(w)); };
    const auto stored = co_await c.offload.run(std::move(commit));
    c.r.fetch_duration.observe(std::chrono::steady_clock::now() - started);
    std::string result_id = e.result_id;
    co_await api.ack(std::move(result_id));
    auto confirm = [&q, id = stored.id, result_id = e.result_id] {
        q.confirm_to_source(id, std::nullopt);
        return q.link_result(result_id, id);
    };
    const auto request = co_await c.offload.run(std::move(confirm));
    ++c.r.taken;
    log::info("result file stored", {{"item", stored.id.str()},
                                     {"result_id", e.result_id},
                                     {"kind", e.kind},
                                     {"answers_request", request ? request->str() : "none"}});
}

// Takes every listed file; one that fails is left for the next cycle. Throttling and
// unavailability end the cycle (the others would meet them too).
awaitable<void> take_all(Cycle& c, ApiClient& api) {
    const auto listed = co_await list_all(c, api);
    for (const auto& e : listed) {
        try {
            co_await take(c, api, e);
        } catch (const queue::QueueFull& ex) {
            c.r.queue_full = true;
            log::warning("queue refuses new items; fetching stops", {{"reason", ex.what()}});
            co_return;
        } catch (const ApiError& ex) {
            ++c.r.failed;
            log::warning("result file not taken, retried next cycle",
                         {{"result_id", e.result_id}, {"reason", ex.what()}});
            if (ex.problem().status == 429 || ex.problem().status == 503)
                throw;
        } catch (const TransferError& ex) {
            ++c.r.failed;
            log::warning("result file not taken, retried next cycle",
                         {{"result_id", e.result_id}, {"reason", ex.what()}});
        } catch (const http::TransportError& ex) {
            ++c.r.failed;  // the next call opens a new connection, path check first
            log::warning("result file not taken, retried next cycle",
                         {{"result_id", e.result_id}, {"reason", ex.what()}});
        }
    }
}

std::string payload_of(queue::Queue& q, const queue::ItemId& id) {
    std::string bytes;
    q.read_payload(id, [&](queue::ByteView chunk) {
        bytes.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    });
    return bytes;
}

// Answers about the file itself: an operator must look at it. Anything else (throttling,
// an unusable certificate, a wrong base_url) is the cycle's failure, and the file stays
// released for the next one.
bool refuses_file(const ApiError& e) {
    const unsigned s = e.problem().status;
    return s == 400 || s == 409 || s == 413 || s == 415 || s == 422;
}

// The service refused the file itself (not a passing failure): an operator decides.
void refused(Cycle& c, const queue::ItemInfo& item, const ApiError& e) {
    c.q.transition(item.id, {.to = queue::State::held,
                             .action = "upload refused",
                             .details = {{"reason", describe(e.problem())}}});
    ++c.r.upload_refused;
    log::error("the chukan server refused a request file; held for an operator",
               {{"item", item.id.str()}, {"reason", e.what()}});
}

awaitable<void> upload(Cycle& c, ApiClient& api, const queue::ItemInfo& item) {
    queue::Queue& q = c.q;
    auto read = [&q, id = item.id] { return payload_of(q, id); };
    std::string file = co_await c.offload.run(std::move(read));
    std::string client_request_id = item.external_id;
    std::string kind = item.kind;
    const std::string request_id =
        co_await api.put_request(std::move(client_request_id), std::move(kind), std::move(file));
    auto record = [&q, id = item.id, request_id] {
        q.record_upload(id, request_id, queue::Actor::daemon());
    };
    co_await c.offload.run(std::move(record));
    ++c.r.uploaded;
    log::notice("request file uploaded to the chukan server",
                {{"item", item.id.str()}, {"kind", item.kind}, {"request_id", request_id}});
}

awaitable<void> upload_released(Cycle& c, ApiClient& api) {
    queue::Queue& q = c.q;
    auto lookup = [&q] {
        return q.list(queue::State::released, std::string(kSubmitSource), kUploadsPerCycle);
    };
    const auto released = co_await c.offload.run(std::move(lookup));
    for (const auto& item : released) {
        std::optional<ApiError> refusal;  // handled after the catch: no co_await in a handler
        try {
            co_await upload(c, api, item);
        } catch (const ApiError& e) {
            if (!refuses_file(e)) {
                ++c.r.upload_failed;
                throw;
            }
            refusal = e;
        } catch (const http::TransportError& e) {
            ++c.r.upload_failed;
            log::warning("request file not uploaded, retried next cycle",
                         {{"item", item.id.str()}, {"reason", e.what()}});
        }
        if (refusal) {
            auto hold = [&c, &item, &refusal] { refused(c, item, *refusal); };
            co_await c.offload.run(std::move(hold));
        }
    }
}

awaitable<void> follow_requests(Cycle& c, ApiClient& api) {
    queue::Queue& q = c.q;
    auto lookup = [&q] {
        return q.open_requests(std::chrono::system_clock::now(), kStatusChecksPerCycle);
    };
    const auto open = co_await c.offload.run(std::move(lookup));
    for (const auto& r : open) {
        std::string request_id = r.request_id;
        std::optional<RequestState> answer;
        std::string problem;  // why this request has no answer this time
        try {
            answer = co_await api.request_state(std::move(request_id));
        } catch (const ApiError& e) {
            if (ends_cycle(e))
                throw;
            problem = e.what();
            if (e.problem().status == 404)
                answer = RequestState{RequestStatus::error, std::nullopt};
        } catch (const ProtocolError& e) {
            problem = e.what();
        }
        if (!answer) {
            // Asked again later; the other requests still get their turn.
            auto later = [&q, &r, next = std::chrono::system_clock::now() + kStatusProblemPause] {
                q.record_request_state(r.item, r.status, r.result_id, next);
            };
            co_await c.offload.run(std::move(later));
            log::warning(
                "request status not known, asked again later",
                {{"item", r.item.str()}, {"request_id", r.request_id}, {"reason", problem}});
            continue;
        }
        if (!problem.empty()) {
            log::error("the chukan server does not know an uploaded request: marked error",
                       {{"item", r.item.str()}, {"request_id", r.request_id}, {"reason", problem}});
        }
        const RequestState state = *answer;
        const std::string status(name(state.status));
        auto record = [&q, &r, status, result_id = state.result_id.value_or(""),
                       next = std::chrono::system_clock::now() + c.s.status_interval] {
            q.record_request_state(r.item, status, result_id, next);
        };
        co_await c.offload.run(std::move(record));
        ++c.r.statuses;
        if (status != r.status) {
            log::notice("request status changed", {{"item", r.item.str()},
                                                   {"request_id", r.request_id},
                                                   {"status", status},
                                                   {"result_id", state.result_id.value_or("")}});
        }
    }
}

// One step of the cycle. Its failure is noted (the cycle then counts as failed) and the
// next steps still run: a bad listing must not keep request files from going out. A
// failure every step would meet ends the cycle: throttling, unavailability, a refused path.
awaitable<void> step(Cycle& c, awaitable<void> work, const char* what) {
    std::string failed;
    try {
        co_await std::move(work);
    } catch (const ApiError& e) {
        if (ends_cycle(e))
            throw;
        failed = e.what();
    } catch (const http::TransportError& e) {
        failed = e.what();  // the next step opens a new connection, path check first
    } catch (const ProtocolError& e) {
        failed = e.what();
    }
    if (failed.empty())
        co_return;
    log::warning("a step of the chukan cycle failed; the next steps still run",
                 {{"step", what}, {"reason", failed}});
    if (c.r.error.empty())
        c.r.error = std::string(what) + ": " + failed;
}

awaitable<void> take_results(Cycle& c, ApiClient& api) {
    co_await ack_stored(c, api);
    queue::Queue& q = c.q;
    auto accepting = [&q] { return q.accepting_new_items(); };
    if (co_await c.offload.run(std::move(accepting))) {
        co_await take_all(c, api);
    } else {
        c.r.queue_full = true;
    }
}

awaitable<void> run(Cycle& c, ApiClient& api) {
    co_await api.connect();
    auto results = take_results(c, api);
    co_await step(c, std::move(results), "results");
    auto uploads = upload_released(c, api);
    co_await step(c, std::move(uploads), "uploads");
    auto statuses = follow_requests(c, api);
    co_await step(c, std::move(statuses), "request status");
    queue::Queue& q = c.q;
    auto waiting = [&q, soon = std::chrono::system_clock::now() + c.s.status_interval] {
        return !q.open_requests(soon, 1).empty();
    };
    c.r.requests_open = co_await c.offload.run(std::move(waiting));
}

}  // namespace

std::vector<std::string> require_protected_path(const IpsecCheck& check,
                                                const http::Endpoint& endpoint) {
    if (check.mode == IpsecMode::off)
        return {};
    const auto addresses = addresses_of(endpoint);
    if (addresses.empty())
        throw PathRefused("no address for " + endpoint.host);
    std::vector<std::string> approved;
    for (const auto& a : addresses) {
        PathVerdict v;
        try {
            v = check_path(check, a);
        } catch (const std::exception& e) {
            throw PathRefused("cannot ask the kernel about the path to " + a.to_string() + ": " +
                              e.what());
        }
        if (!v.protected_path)
            throw PathRefused(v.why);
        approved.push_back(a.to_string());
    }
    return approved;
}

std::string result_kind_of(std::string_view request_kind) {
    std::string kind(request_kind);
    if (kind.size() > 4 && kind.ends_with("-REQ"))
        kind.replace(kind.size() - 3, 3, "RES");
    return kind;
}

awaitable<CycleReport> poll_once(queue::Queue& q, PollSettings s) {
    CycleReport r;
    {
        Offload offload(1);
        PathGuard guard = [&offload, check = s.ipsec, endpoint = s.endpoint] {
            return guard_path(offload, check, endpoint);
        };
        ApiClient api(s.endpoint, s.tls, s.timeouts, s.limits, std::move(guard));
        Cycle cycle{q, s, r, offload};
        try {
            co_await run(cycle, api);
        } catch (const PathRefused& e) {
            r.path_refused = true;
            r.error = std::string("not connecting: ") + e.what();
        } catch (const ApiError& e) {
            r.error = std::string("the chukan server answered ") + e.what();
            r.retry_after = e.problem().retry_after;
        } catch (const std::exception& e) {
            r.error = e.what();
        }
        try {
            co_await api.close();
        } catch (const std::exception&) {
            // The connection is gone either way; its failure was reported above.
        }
    }
    co_return r;
}

}  // namespace sekisho::chukan

#pragma once
// One cycle against the 中間サーバー (spec/chukan-api.md), over one connection that is
// opened only after the IPsec path check allowed it (and again before any reconnection):
//   1. ack result files stored before a crash whose ack was never sent;
//   2. list every result file, take each new one into the queue (durable before its ack),
//      and link it to the request it answers;
//   3. upload the released request files (PUT with the item's stable client_request_id,
//      so a repeat after a crash is answered with the same request_id);
//   4. ask the status of the requests not yet done.
// One failing file never stops the others: it is left for the next cycle.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "adapters/chukan/api_client.hpp"
#include "adapters/chukan/ipsec_check.hpp"
#include "common/metrics_file.hpp"
#include "queue/queue.hpp"

namespace sekisho::chukan {

inline constexpr std::string_view kSource = "chukan";
// Request files submitted by an operator (sekishoctl submit) go to the 中間サーバー, not to
// the core system.
inline constexpr std::string_view kSubmitSource = "operator";

struct PollSettings {
    http::Endpoint endpoint;
    std::shared_ptr<http::TlsClientContext> tls;
    http::Timeouts timeouts;
    ApiLimits limits;
    IpsecCheck ipsec;
    std::uint64_t page_size = kMaxPageResults;
    std::uint64_t max_results_per_cycle = 10'000;
    // A request not yet done is asked about again after this.
    std::chrono::milliseconds status_interval = std::chrono::seconds(30);
};

struct CycleReport {
    std::int64_t listed = 0;
    std::int64_t taken = 0;        // new result files committed this cycle
    std::int64_t already_had = 0;  // listed again, already in the queue (acked again)
    std::int64_t failed = 0;       // result files left for the next cycle
    DurationSummary fetch_duration;
    std::int64_t uploaded = 0;
    std::int64_t upload_failed = 0;   // left released, tried again next cycle
    std::int64_t upload_refused = 0;  // the service refused the file: held for an operator
    std::int64_t statuses = 0;        // status answers recorded
    std::string error;                // why the cycle ended early; empty when it ran through
    std::optional<std::chrono::seconds> retry_after;
    bool requests_open = false;  // requests wait for their result: ask again soon
    bool path_refused = false;   // the IPsec path check said no: nothing was sent
    bool queue_full = false;
    bool ok() const { return error.empty(); }
};

// The check run before every connection: resolves the server's host and requires every
// address to take the protected path; returns those addresses (the connection goes to
// them and nowhere else), or none when the check is off. Blocking (netlink, DNS): run it
// off the event loop. Throws PathRefused with the kernel's answer when the path is not
// protected.
std::vector<std::string> require_protected_path(const IpsecCheck& check,
                                                const http::Endpoint& endpoint);

// Never throws for the service's or the network's failures: they are in the report.
boost::asio::awaitable<CycleReport> poll_once(queue::Queue& q, PollSettings settings);

// The kind of result that answers a request kind ("HONNIN-REQ" → "HONNIN-RES").
std::string result_kind_of(std::string_view request_kind);

}  // namespace sekisho::chukan

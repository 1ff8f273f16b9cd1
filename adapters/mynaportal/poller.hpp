#pragma once
// One poll cycle against Mynaportal (spec/mynaportal-api.md): log in, tell the service
// about items stored before a crash, list every arrived filing, take each one into the
// queue (stored durably before `downloaded`), send the notices that are due, log out.
// One failing filing never stops the others: it is left for the next cycle.
//
// Filings and notices go over `concurrency` connections at once under one login; the
// queue's durable commits run on a small thread pool (they wait for the disk) so the
// event loop keeps transferring, and commits that meet there share one sync.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "adapters/http/connection.hpp"
#include "adapters/mynaportal/api_client.hpp"
#include "common/metrics_file.hpp"
#include "queue/queue.hpp"

namespace sekisho::mynaportal {

inline constexpr std::string_view kSource = "mynaportal";
inline constexpr std::size_t kMaxConcurrency = 8;

struct PollSettings {
    http::Endpoint endpoint;
    std::shared_ptr<http::TlsClientContext> tls;
    http::Timeouts timeouts;
    ApiLimits limits;
    std::string user_id;
    config::SecretRef password;
    std::uint64_t page_size = 50;
    std::uint64_t max_filings_per_cycle = 10'000;
    // Connections used at once for packages and notices (clamped to 1..kMaxConcurrency).
    std::size_t concurrency = 4;
    // A notice the service could not take is tried again after this, doubling up to an hour.
    std::chrono::milliseconds notice_retry_base = std::chrono::seconds(30);
};

struct CycleReport {
    std::int64_t listed = 0;
    std::int64_t taken = 0;          // new items committed this cycle
    std::int64_t already_had = 0;    // listed again, already in the queue
    std::int64_t failed = 0;         // left for the next cycle
    DurationSummary fetch_duration;  // per package: from its request to its durable commit
    std::int64_t notices_sent = 0;
    std::int64_t notices_closed = 0;
    std::string error;  // why the cycle ended early; empty when it ran through
    std::optional<std::chrono::seconds> retry_after;
    bool password_expired = false;
    bool queue_full = false;
    std::optional<std::int64_t> password_expires_at_ms;
    bool ok() const { return error.empty(); }
};

// Never throws for the service's or the network's failures: they are in the report.
// Takes the settings by value: a reload during the cycle does not change them under it.
boost::asio::awaitable<CycleReport> poll_once(queue::Queue& q, PollSettings settings);

}  // namespace sekisho::mynaportal

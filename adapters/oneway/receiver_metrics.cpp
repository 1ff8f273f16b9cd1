#include "adapters/oneway/receiver_metrics.hpp"

namespace sekisho::oneway {

MetricsText receiver_metrics(const ReceiverCounters& c) {
    MetricsText m;
    const auto n = [](std::uint64_t v) { return static_cast<double>(v); };
    m.counter("sekisho_recv_datagrams_total", "Datagrams received", n(c.datagrams));
    m.counter("sekisho_recv_bytes_total", "UDP payload bytes received", n(c.bytes));
    m.counter("sekisho_recv_dropped_total", "Datagrams dropped, by reason", n(c.malformed),
              {{"reason", "malformed"}});
    m.counter("sekisho_recv_dropped_total", "Datagrams dropped, by reason", n(c.auth_failures),
              {{"reason", "authentication"}});
    m.counter("sekisho_recv_dropped_total", "Datagrams dropped, by reason", n(c.replays),
              {{"reason", "replay"}});
    m.counter("sekisho_recv_dropped_total", "Datagrams dropped, by reason",
              n(c.shards_without_header), {{"reason", "no_transfer_header"}});
    m.counter("sekisho_recv_dropped_total", "Datagrams dropped, by reason",
              n(c.shards_dropped_memory), {{"reason", "memory_limit"}});
    m.counter("sekisho_recv_repaired_shards_total", "Data shards rebuilt from parity",
              n(c.shards_repaired));
    m.counter("sekisho_recv_transfers_total", "Transfers by outcome", n(c.delivered),
              {{"outcome", "delivered"}});
    m.counter("sekisho_recv_transfers_total", "Transfers by outcome", n(c.lost_transfers),
              {{"outcome", "lost"}});
    m.counter("sekisho_recv_transfers_total", "Transfers by outcome", n(c.corrupt_transfers),
              {{"outcome", "corrupt"}});
    m.counter("sekisho_recv_transfers_total", "Transfers by outcome", n(c.refused_transfers),
              {{"outcome", "refused"}});
    m.counter("sekisho_recv_lost_groups_total",
              "FEC groups (blocks of data shards) beyond repair in lost transfers",
              n(c.lost_groups));
    m.counter("sekisho_recv_delivered_bytes_total", "Bytes delivered to the inbox",
              n(c.delivered_bytes));
    m.counter("sekisho_recv_heartbeats_total", "Heartbeats received", n(c.heartbeats));
    m.counter("sekisho_recv_heartbeat_gaps_total", "Heartbeats missed or silences over 3 s",
              n(c.heartbeat_gaps));
    m.gauge("sekisho_recv_buffered_bytes", "Memory held for incomplete FEC groups",
            n(c.buffered_bytes));
    m.gauge("sekisho_recv_active_transfers", "Transfers being reassembled", n(c.active_transfers));
    return m;
}

}  // namespace sekisho::oneway

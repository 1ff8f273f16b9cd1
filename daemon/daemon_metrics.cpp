// sekishod's metrics file (Prometheus text format, node_exporter textfile collector
// convention): queue, sources, pipeline and hand-over figures, rewritten atomically.

#include "adapters/clamd/reply.hpp"
#include "common/log.hpp"
#include "common/metrics_file.hpp"
#include "common/version.hpp"
#include "daemon/daemon.hpp"

namespace sekisho::daemon {
namespace {

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// The engine and the daily database as labels; the database's date is in the age gauge.
// A reply that does not parse is shown as clamd sent it.
MetricsText::Labels scanner_labels(const std::string& reply) {
    const auto v = clamd::parse_version(reply);
    if (!v)
        return {{"version", reply}};
    MetricsText::Labels labels{{"version", v->engine}};
    if (v->database)
        labels.emplace_back("database", std::to_string(*v->database));
    return labels;
}

void scan_metrics(MetricsText& m, const PipelineCounters& c) {
    const auto scans = [&](const char* result, std::int64_t n) {
        m.counter("sekisho_scans_total", "Virus scans of items, by result", static_cast<double>(n),
                  {{"result", result}});
    };
    scans("clean", c.scans_clean);
    scans("infected", c.scans_infected);
    scans("unavailable", c.scan_retries);
    m.summary("sekisho_scan_duration_seconds", "Time per virus scan of an item, every attempt",
              c.scan_duration);
    if (c.scanner_checked) {
        m.gauge("sekisho_clamd_info", "clamd's version, as its last VERSION answer gave it", 1,
                scanner_labels(c.scanner_version));
        m.gauge("sekisho_clamd_last_check_timestamp_seconds",
                "When clamd's version and signatures were last checked",
                seconds_since_epoch(*c.scanner_checked));
    }
    if (c.signatures_dated) {
        const std::chrono::duration<double> age =
            std::chrono::system_clock::now() - *c.signatures_dated;
        m.gauge("sekisho_clamd_signature_age_seconds",
                "Age of clamd's signatures, by the date the last check found", age.count());
    }
}

}  // namespace

void Daemon::publish_metrics() {
    const auto& file = settings_.daemon.metrics_file;
    if (file.empty())
        return;
    MetricsText m;
    m.gauge("sekisho_up", "1 while sekishod runs, 0 once it has stopped", stopping_ ? 0 : 1);
    m.gauge("sekisho_build_info", "Version of sekishod", 1, {{"version", kVersion}});
    m.gauge("sekisho_start_time_seconds", "Start time of sekishod, Unix seconds",
            seconds_since_epoch(started_));
    m.counter("sekisho_config_reloads_total", "Configuration reloads by result",
              static_cast<double>(reloads_ok_), {{"result", "ok"}});
    m.counter("sekisho_config_reloads_total", "Configuration reloads by result",
              static_cast<double>(reloads_failed_), {{"result", "failed"}});
    m.gauge("sekisho_config_last_reload_failed", "1 when the last reload was refused",
            last_reload_failed_ ? 1 : 0);
    try {
        for (const auto& [state, count] : queue_->counts()) {
            m.gauge("sekisho_queue_items", "Items in the queue by state",
                    static_cast<double>(count), {{"state", std::string(queue::name(state))}});
        }
        m.gauge("sekisho_queue_free_bytes", "Free space where the queue lives",
                static_cast<double>(queue_->free_bytes()));
        m.gauge("sekisho_queue_accepting", "0 while new items are refused for lack of space",
                accepting_ ? 1 : 0);
        m.gauge("sekisho_audit_records", "Records in the audit log",
                static_cast<double>(queue_->audit_records()));
        m.gauge("sekisho_notices_pending", "Notices owed to the sources, not yet confirmed",
                static_cast<double>(queue_->pending_notices()));
    } catch (const std::exception& e) {
        log::warning("cannot read queue figures for metrics", {{"reason", e.what()}});
    }
    source_metrics(m);
    pipeline_metrics(m);
    hand_over_metrics(m);
    certificate_metrics(m);
    try {
        sekisho::publish_metrics(file, m);
    } catch (const std::exception& e) {
        log::warning("cannot write metrics file", {{"reason", e.what()}});
    }
}

namespace {

// What both sources publish, labelled with the source.
struct SourceFigures {
    std::string source;
    std::int64_t cycles = 0;
    std::int64_t taken = 0;
    std::int64_t failures = 0;
    const DurationSummary* duration = nullptr;
    bool last_ok = false;
    std::optional<std::chrono::system_clock::time_point> last_cycle;
    bool stopped = false;
};

void source_figures(MetricsText& m, const SourceFigures& f) {
    const MetricsText::Labels source{{"source", f.source}};
    m.counter("sekisho_source_cycles_total", "Poll cycles run", static_cast<double>(f.cycles),
              source);
    m.counter("sekisho_source_items_taken_total", "Items taken into the queue",
              static_cast<double>(f.taken), source);
    m.counter("sekisho_fetch_failures_total", "Downloads that failed, left for a later cycle",
              static_cast<double>(f.failures), source);
    m.summary("sekisho_fetch_duration_seconds",
              "Time per downloaded package, from its request to its durable commit", *f.duration,
              source);
    m.gauge("sekisho_source_last_cycle_ok", "1 when the last poll cycle ran through",
            f.cycles > 0 && f.last_ok ? 1 : 0, source);
    if (f.last_cycle) {
        m.gauge("sekisho_source_last_cycle_timestamp_seconds", "End of the last poll cycle",
                seconds_since_epoch(*f.last_cycle), source);
    }
    m.gauge("sekisho_source_stopped",
            "1 while polling is stopped (password expired, IPsec path not protected)",
            f.stopped ? 1 : 0, source);
}

}  // namespace

void Daemon::source_metrics(MetricsText& m) const {
    chukan_metrics(m);
    if (!mynaportal_)
        return;
    const auto& st = mynaportal_->status();
    source_figures(m, {"mynaportal", st.cycles, st.filings_taken, st.fetch_failures,
                       &st.fetch_duration, st.last_report.ok(), st.last_cycle,
                       st.state == mynaportal::SourceStatus::State::password_expired});
    if (st.password_days_left) {
        m.gauge("sekisho_mynaportal_password_days_left",
                "Days until the Mynaportal password expires",
                static_cast<double>(*st.password_days_left));
    }
}

void Daemon::chukan_metrics(MetricsText& m) const {
    if (!chukan_)
        return;
    const auto& st = chukan_->status();
    const bool refused = st.state == chukan::SourceStatus::State::path_refused;
    source_figures(m, {"chukan", st.cycles, st.results_taken, st.fetch_failures, &st.fetch_duration,
                       st.last_report.ok(), st.last_cycle, refused});
    m.gauge("sekisho_chukan_path_protected",
            "1 when the last route check found the IPsec path protected (or it is off)",
            refused ? 0 : 1);
    m.counter("sekisho_chukan_path_refusals_total",
              "Cycles that did not connect because the IPsec path was not protected",
              static_cast<double>(st.path_refusals));
    m.counter("sekisho_chukan_requests_uploaded_total", "Request files the chukan server took",
              static_cast<double>(st.uploaded));
}

void Daemon::pipeline_metrics(MetricsText& m) const {
    if (!pipeline_)
        return;
    const auto c = pipeline_->counters();
    const auto outcome = [&](const char* what, std::int64_t n) {
        m.counter("sekisho_inspections_total", "Items through inspection and scan, by outcome",
                  static_cast<double>(n), {{"outcome", what}});
    };
    outcome("staged", c.accepted);
    outcome("rejected", c.rejected);
    outcome("held", c.held);
    m.counter("sekisho_auto_released_total", "Items released by the [release] auto policy",
              static_cast<double>(c.auto_released));
    m.counter("sekisho_scan_retries_total", "Scans that found the virus scanner unusable",
              static_cast<double>(c.scan_retries));
    m.gauge("sekisho_scanner_available", "0 while clamd is unusable and items wait",
            c.scanner_available ? 1 : 0);
    m.summary("sekisho_inspect_duration_seconds",
              "Time per inspection by the sandboxed worker, whatever it answered",
              c.inspect_duration);
    scan_metrics(m, c);
}

void Daemon::hand_over_metrics(MetricsText& m) const {
    if (!hand_over_)
        return;
    const auto c = hand_over_->counters();
    m.counter("sekisho_oneway_sent_total", "Items handed to the one-way sender and sent",
              static_cast<double>(c.sent));
    m.counter("sekisho_oneway_sender_failures_total", "Times the one-way sender failed",
              static_cast<double>(c.sender_failures));
    m.counter("sekisho_oneway_datagrams_total", "Datagrams sent on the one-way link",
              static_cast<double>(c.datagrams));
    m.counter("sekisho_oneway_bytes_total", "UDP payload bytes sent on the one-way link",
              static_cast<double>(c.bytes));
    m.counter("sekisho_oneway_refused_datagrams_total",
              "Datagrams the local network stack refused to send (lost before the link)",
              static_cast<double>(c.refused));
    m.summary("sekisho_send_duration_seconds",
              "Time per item from handing it to the one-way sender to its last repetition",
              c.send_duration);
    m.gauge("sekisho_oneway_sender_up", "1 while the one-way sender process runs",
            c.sender_running ? 1 : 0);
}

}  // namespace sekisho::daemon

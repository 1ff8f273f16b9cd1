#include "daemon/pipeline_stages.hpp"

#include <chrono>

#include "adapters/clamd/client.hpp"
#include "adapters/clamd/package_scan.hpp"
#include "daemon/inspect/worker_pool.hpp"

namespace sekisho::daemon {

ScanResult to_scan_result(const clamd::ScanOutcome& out) {
    ScanResult r;
    switch (out.status) {
        case clamd::ScanOutcome::Status::clean:
            r.status = ScanStatus::clean;
            break;
        case clamd::ScanOutcome::Status::infected:
            r.status = ScanStatus::infected;
            r.where = out.entry_index ? out.entry_name : "package";
            r.detail = out.signature;
            break;
        case clamd::ScanOutcome::Status::unavailable:
            r.status = ScanStatus::unavailable;
            r.detail = std::string(clamd::to_string(out.reason)) + ": " + out.detail;
            break;
    }
    if (out.scanner) {
        r.scanner_version = out.scanner->version;
        r.signatures_dated = out.scanner->signatures_dated;
        r.scanner_checked = out.scanner->checked;
        r.scans_archives = out.scanner->scans_archives;
    }
    return r;
}

std::shared_ptr<inspect::WorkerPool> make_workers(const config::Settings& settings) {
    return std::make_shared<inspect::WorkerPool>(
        static_cast<std::size_t>(settings.inspect.workers),
        inspect::WorkerSettings{
            {},
            std::chrono::duration_cast<std::chrono::milliseconds>(settings.inspect.worker_timeout),
            settings.inspect.worker_memory});
}

ChukanInspectFn make_chukan_inspect_fn(std::shared_ptr<inspect::WorkerPool> workers) {
    return [workers](std::string_view file, std::string_view kind) {
        auto answer = workers->inspect_chukan(file, kind, inspect::ChukanLimits{});
        InspectResult r;
        if (auto* failure = std::get_if<inspect::Failure>(&answer)) {
            r.failure = failure->reason;
            return r;
        }
        auto& done = std::get<inspect::ChukanInspection>(answer);
        r.verdict = std::move(done.verdict);
        r.flags = std::move(done.flags);
        r.forms = {std::string(kind)};
        return r;
    };
}

InspectFn make_inspect_fn(std::shared_ptr<inspect::WorkerPool> workers) {
    return [workers](std::string_view zip, const inspect::Options& options) {
        auto answer = workers->inspect(zip, options);
        InspectResult r;
        if (auto* failure = std::get_if<inspect::Failure>(&answer)) {
            r.failure = failure->reason;
            return r;
        }
        auto& done = std::get<inspect::Inspection>(answer);
        r.verdict = std::move(done.verdict);
        r.entries = std::move(done.entries);
        r.forms = std::move(done.forms);
        return r;
    };
}

ScanFn make_scan_fn(const config::ClamdSettings& settings) {
    // A malformed socket is a configuration error found by --check-config; building the
    // client here throws it again so that sekishod refuses to start.
    auto scanner = std::make_shared<clamd::PackageScanner>(
        clamd::Client::from_settings(settings),
        clamd::SignaturePolicy{
            settings.database_dir,
            std::chrono::duration_cast<std::chrono::milliseconds>(settings.max_signature_age)});
    return [scanner](std::string_view zip, const std::vector<inspect::Entry>& entries) {
        std::vector<clamd::Entry> views;
        views.reserve(entries.size());
        for (const auto& e : entries)
            views.push_back({e.name, e.bytes});
        return to_scan_result(scanner->scan(zip, views));
    };
}

}  // namespace sekisho::daemon

#include "daemon/pipeline.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <ctime>

#include "common/log.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "daemon/source_notices.hpp"

namespace sekisho::daemon {
namespace {

using Clock = std::chrono::steady_clock;
using queue::State;

constexpr auto kErrorPause = std::chrono::seconds(5);
constexpr std::size_t kListBatch = 50;
constexpr std::size_t kMaxMessageBytes = 380;  // the service allows 400 characters
constexpr std::string_view kFilingKind = "filing";

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : " ") + i;
    return out;
}

std::string codes_list(const inspect::Verdict& verdict) {
    std::string out;
    for (const auto& c : verdict.codes())
        out += (out.empty() ? "" : " ") + c;
    return out;
}

std::optional<inspect::AuthMethod> auth_method_of(const config::SecretBytes& meta) {
    const std::string_view text(reinterpret_cast<const char*>(meta.data()), meta.size());
    boost::json::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    const auto* auth = v.get_object().if_contains("auth_method");
    if (auth == nullptr || !auth->is_string())
        return std::nullopt;
    if (auth->get_string() == "certificate")
        return inspect::AuthMethod::certificate;
    if (auth->get_string() == "gbizid")
        return inspect::AuthMethod::gbizid;
    return std::nullopt;
}

}  // namespace

std::string returned_message(const inspect::Verdict& verdict) {
    std::string msg = "電子申請データの点検で受け付けられない内容が見つかりました。理由コード:";
    const auto codes = verdict.codes();
    std::size_t listed = 0;
    for (const auto& c : codes) {
        if (msg.size() + c.size() + 1 > kMaxMessageBytes - 24)
            break;
        msg += " " + c;
        ++listed;
    }
    if (listed < codes.size())
        msg += " ほか" + std::to_string(codes.size() - listed) + "件";
    return msg;
}

Pipeline::Pipeline(queue::Queue& queue, config::InspectSettings inspect, InspectFn inspect_fn,
                   ScanFn scan_fn, PipelineTiming timing)
    : queue_(queue),
      inspect_fn_(std::move(inspect_fn)),
      scan_fn_(std::move(scan_fn)),
      options_(inspect::options_from_settings(inspect, inspect::AuthMethod::certificate, 0)),
      timing_(timing),
      scan_backoff_(timing.scan_retry_base, timing.scan_retry_max),
      lanes_(static_cast<std::size_t>(std::max<std::int64_t>(inspect.workers, 1))) {}

Pipeline::~Pipeline() {
    stop();
}

void Pipeline::start() {
    for (std::size_t i = 0; i < lanes_; ++i)
        threads_.emplace_back([this] { run(); });
}

void Pipeline::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable())
            t.join();
    }
}

void Pipeline::wake() {
    {
        std::lock_guard lock(mutex_);
        ++wakes_;
    }
    wake_.notify_all();
}

void Pipeline::reconfigure(inspect::Options options) {
    std::lock_guard lock(mutex_);
    options_ = std::move(options);
}

PipelineCounters Pipeline::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

void Pipeline::run() {
    std::uint64_t seen = 0;
    {
        std::lock_guard lock(mutex_);
        seen = wakes_;
    }
    for (;;) {
        bool worked = false;
        Clock::duration pause = timing_.idle_wait;
        try {
            worked = work_once();
        } catch (const std::exception& e) {
            // The queue refused a step (disk, database): nothing moved, so the item is
            // simply taken up again after a pause.
            log::error("pipeline step failed; retrying", {{"reason", e.what()}});
            pause = kErrorPause;
        }
        std::unique_lock lock(mutex_);
        if (stop_)
            return;
        if (worked)
            continue;
        auto until = Clock::now() + pause;
        if (const auto due = next_retry(); due && *due < until)
            until = *due;
        wake_.wait_until(lock, until, [this, seen] { return stop_ || wakes_ != seen; });
        seen = wakes_;
    }
}

std::optional<Clock::time_point> Pipeline::next_retry() const {
    std::optional<Clock::time_point> first;
    for (const auto& [id, due] : scan_due_) {
        if (!first || due < *first)
            first = due;
    }
    return first;
}

bool Pipeline::work_once() {
    // Inspections interrupted by a restart come first, then new items, then scans
    // waiting for the scanner.
    for (const State s : {State::inspecting, State::fetched}) {
        for (const auto& item : queue_.list(s, std::nullopt, kListBatch)) {
            // A Mynaportal filing waits until the service was told it is stored, so that
            // its `received` notice always comes before `returned`.
            if (item.source == kNoticeSource && !item.source_confirmed)
                continue;
            if (claim(item.id))
                return take(item, s == State::fetched);
        }
    }
    const auto now = Clock::now();
    for (const auto& item : queue_.list(State::scanning, std::nullopt, kListBatch)) {
        {
            std::lock_guard lock(mutex_);
            const auto due = scan_due_.find(item.id);
            if (due != scan_due_.end() && due->second > now)
                continue;
        }
        // The entries are not kept between attempts: the worker inflates them again, and
        // a verdict that changed meanwhile (a CRL was updated) is honoured.
        if (claim(item.id))
            return take(item, false);
    }
    return false;
}

bool Pipeline::claim(const queue::ItemId& id) {
    std::lock_guard lock(mutex_);
    return in_hand_.insert(id).second;
}

void Pipeline::release_claim(const queue::ItemId& id) {
    std::lock_guard lock(mutex_);
    in_hand_.erase(id);
}

bool Pipeline::take(const queue::ItemInfo& item, bool start_inspection) {
    struct Release {
        Pipeline& p;
        const queue::ItemId& id;
        ~Release() { p.release_claim(id); }
    } release{*this, item.id};
    // Another lane may have finished the item between the listing and the claim.
    const auto current = queue_.find(item.id);
    if (!current || current->state != item.state)
        return true;
    auto info = *current;
    if (start_inspection) {
        queue_.transition(item.id, {.to = State::inspecting, .action = "inspection started"});
        info.state = State::inspecting;
    }
    inspect_item(info);
    return true;
}

std::optional<std::string> Pipeline::read_zip(const queue::ItemInfo& item) {
    std::string zip;
    zip.reserve(item.size);
    try {
        queue_.read_payload(item.id, [&](queue::ByteView chunk) {
            zip.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        });
    } catch (const queue::CorruptPayload& e) {
        // The queue has moved the item to corrupt and audited it.
        log::error("item payload is damaged; moved to corrupt",
                   {{"item", item.id.str()}, {"reason", e.what()}});
        return std::nullopt;
    }
    return zip;
}

std::optional<inspect::Options> Pipeline::options_for(const queue::ItemInfo& item) {
    const auto auth = auth_method_of(queue_.read_personal(item.id));
    if (!auth)
        return std::nullopt;
    std::lock_guard lock(mutex_);
    inspect::Options options = options_;
    options.auth_method = *auth;
    options.now = std::time(nullptr);
    return options;
}

void Pipeline::inspect_chukan_with(ChukanInspectFn fn) {
    std::lock_guard lock(mutex_);
    chukan_fn_ = std::move(fn);
}

void Pipeline::inspect_item(const queue::ItemInfo& item) {
    const auto max_package = [this] {
        std::lock_guard lock(mutex_);
        return options_.limits.max_package;
    }();
    if (item.kind == kFilingKind && item.size > max_package) {
        inspect::Verdict v;
        v.add(inspect::code::zip_limit, "package", "package larger than inspect.max_package");
        reject(item, v, "inspection rejected");
        return;
    }
    const auto bytes = read_zip(item);
    if (!bytes)
        return;
    if (const auto result = inspect_payload(item, *bytes))
        on_verdict(item, *result, *bytes);
}

std::optional<InspectResult> Pipeline::inspect_payload(const queue::ItemInfo& item,
                                                       const std::string& bytes) {
    if (item.kind != kFilingKind) {
        ChukanInspectFn fn;
        {
            std::lock_guard lock(mutex_);
            fn = chukan_fn_;
        }
        if (!fn) {
            hold(item, "no inspector for kind " + item.kind);
            return std::nullopt;
        }
        return timed([&] { return fn(bytes, item.kind); });
    }
    const auto options = options_for(item);
    if (!options) {
        hold(item, "the item's metadata names no known auth_method");
        return std::nullopt;
    }
    return timed([&] { return inspect_fn_(bytes, *options); });
}

InspectResult Pipeline::timed(const std::function<InspectResult()>& inspection) {
    const auto start = Clock::now();
    InspectResult r = inspection();
    const auto took = Clock::now() - start;
    std::lock_guard lock(mutex_);
    counters_.inspect_duration.observe(took);
    return r;
}

void Pipeline::on_verdict(const queue::ItemInfo& item, const InspectResult& result,
                          const std::string& zip) {
    if (!result.verdict) {
        hold(item, "no verdict: " + result.failure);
        return;
    }
    if (!result.verdict->accepted()) {
        reject(item, *result.verdict, "inspection rejected");
        return;
    }
    if (item.state == State::inspecting) {
        queue_.transition(item.id, {.to = State::scanning,
                                    .action = "inspection accepted",
                                    .verdict = "accept",
                                    .reasons_json = "[]",
                                    .flags = result.flags});
        log::info("inspection accepted", {{"item", item.id.str()}});
    }
    scan_item(item, zip, result);
}

void Pipeline::scan_item(const queue::ItemInfo& item, const std::string& zip,
                         const InspectResult& inspection) {
    const ScanResult r = run_scan(zip, inspection.entries);
    if (r.status == ScanStatus::unavailable) {
        scanner_unusable(item, r.detail);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        scan_due_.erase(item.id);
        if (!counters_.scanner_available) {
            log::notice("virus scanner usable again; waiting scans are retried now");
            for (auto& [id, due] : scan_due_)
                due = Clock::now();
        }
        counters_.scanner_available = true;
        scan_backoff_.reset();
    }
    if (r.status == ScanStatus::infected) {
        inspect::Verdict v;
        v.add(inspect::code::malware, r.where, "the virus scanner found " + r.detail);
        reject(item, v, "scan found malware");
        return;
    }
    stage(item, inspection);
}

ScanResult Pipeline::run_scan(const std::string& zip, const std::vector<inspect::Entry>& entries) {
    const auto start = Clock::now();
    ScanResult r = scan_fn_(zip, entries);
    count_scan(r, Clock::now() - start);
    return r;
}

// The unavailable ones are counted by scanner_unusable as retries.
void Pipeline::count_scan(const ScanResult& r, Clock::duration took) {
    std::lock_guard lock(mutex_);
    counters_.scan_duration.observe(took);
    if (r.status == ScanStatus::clean)
        ++counters_.scans_clean;
    if (r.status == ScanStatus::infected)
        ++counters_.scans_infected;
    // An unreachable clamd tells nothing new: what it said last still stands.
    if (r.scanner_checked) {
        if (!r.scans_archives && counters_.scans_archives != false) {
            log::warning(
                "clamd did not find its test file inside an archive: every entry is sent as a "
                "stream of its own (complete, but slower); see ScanArchive in clamd.conf",
                {{"clamd", r.scanner_version}});
        } else if (r.scans_archives && counters_.scans_archives == false) {
            log::notice(
                "clamd finds its test file inside archives again: a filing goes to it "
                "as one stream");
        }
        counters_.scans_archives = r.scans_archives;
        counters_.scanner_version = r.scanner_version;
        counters_.signatures_dated = r.signatures_dated;
        counters_.scanner_checked = r.scanner_checked;
    }
}

void Pipeline::stage(const queue::ItemInfo& item, const InspectResult& inspection) {
    const auto& forms = inspection.forms;
    queue_.transition(item.id,
                      {.to = State::staged, .action = "scan clean", .scanned_clean = true});
    log::notice("item staged: inspected and scanned clean", {{"item", item.id.str()}});
    {
        std::lock_guard lock(mutex_);
        ++counters_.accepted;
    }
    if (!auto_release_allows(item, inspection))
        return;
    queue::Change release{.to = State::released,
                          .action = "released by policy",
                          .details = {{"policy", "release.auto"}, {"forms", join(forms)}}};
    release.notice = accepted_notice(item);
    queue_.transition(item.id, release);
    log::notice("item released by the auto-release policy",
                {{"item", item.id.str()}, {"forms", join(forms)}});
    std::lock_guard lock(mutex_);
    ++counters_.auto_released;
}

bool Pipeline::auto_release_allows(const queue::ItemInfo& item,
                                   const InspectResult& inspection) const {
    // A filing without any known form, and a flagged item, are never released by policy.
    const auto& forms = inspection.forms;
    if (forms.empty() || !inspection.flags.empty())
        return false;
    std::lock_guard lock(mutex_);
    for (const auto& rule : auto_release_) {
        if (rule.source != item.source)
            continue;
        const bool all_listed = std::all_of(forms.begin(), forms.end(), [&](const std::string& f) {
            return std::find(rule.forms.begin(), rule.forms.end(), f) != rule.forms.end();
        });
        if (all_listed)
            return true;
    }
    return false;
}

void Pipeline::set_auto_release(std::vector<config::AutoRelease> policy) {
    std::lock_guard lock(mutex_);
    auto_release_ = std::move(policy);
}

void Pipeline::scanner_unusable(const queue::ItemInfo& item, const std::string& why) {
    std::lock_guard lock(mutex_);
    const auto wait = scan_backoff_.next();
    scan_due_[item.id] = Clock::now() + wait;
    ++counters_.scan_retries;
    if (counters_.scanner_available || counters_.scanner_problem != why) {
        log::warning("virus scanner unusable; items wait in scanning",
                     {{"reason", why}, {"retry_in_ms", wait.count()}});
    }
    counters_.scanner_available = false;
    counters_.scanner_problem = why;
}

void Pipeline::hold(const queue::ItemInfo& item, const std::string& why) {
    queue_.transition(
        item.id, {.to = State::held, .action = "inspection failed", .details = {{"reason", why}}});
    log::error("item held for an operator: no verdict", {{"item", item.id.str()}, {"reason", why}});
    std::lock_guard lock(mutex_);
    scan_due_.erase(item.id);
    ++counters_.held;
}

void Pipeline::reject(const queue::ItemInfo& item, const inspect::Verdict& verdict,
                      std::string_view action) {
    queue::Change change{.to = State::rejected,
                         .action = std::string(action),
                         .verdict = "reject",
                         .reasons_json = inspect::reasons_json(verdict),
                         .details = {{"codes", codes_list(verdict)}}};
    change.notice =
        returned_notice(item, verdict.reasons().front().code, returned_message(verdict));
    queue_.transition(item.id, change);
    log::notice("item rejected", {{"item", item.id.str()}, {"codes", codes_list(verdict)}});
    std::lock_guard lock(mutex_);
    scan_due_.erase(item.id);
    ++counters_.rejected;
}

}  // namespace sekisho::daemon

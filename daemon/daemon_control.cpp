// sekishod's side of the control socket: the answers only the running daemon has (status,
// certificates) and the changes it must make itself (certificate rotation and rollback,
// which the Mynaportal source picks up at its next connection, with no restart).

#include <boost/asio/post.hpp>
#include <future>

#include "certs/certificate_info.hpp"
#include "certs/rotation_check.hpp"
#include "common/log.hpp"
#include "common/redact.hpp"
#include "common/time_format.hpp"
#include "common/version.hpp"
#include "daemon/daemon.hpp"
#include "daemon/source_settings.hpp"

namespace sekisho::daemon {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr auto kLoopPoll = 100ms;

std::string unix_time_text(std::int64_t seconds) {
    return rfc3339_utc(seconds * 1000);
}

const config::PeerSettings* peer_of_use(const config::Settings& s, std::string_view use) {
    if (use == "mynaportal-client")
        return &s.mynaportal;
    if (use == "chukan-client")
        return &s.chukan;
    return nullptr;
}

json::object cert_json(const std::string& use, const std::string& origin,
                       const certs::CertInfo& c) {
    const auto days = certs::days_left(c, std::chrono::system_clock::now());
    json::array sans;
    for (const auto& s : c.sans)
        sans.emplace_back(s);
    return {{"use", use},
            {"origin", origin},
            {"subject", c.subject},
            {"issuer", c.issuer},
            {"sans", std::move(sans)},
            {"not_before", unix_time_text(c.not_before)},
            {"not_after", unix_time_text(c.not_after)},
            {"days_left", days},
            {"expiry", certs::name(certs::expiry_of(days))},
            {"sha256", c.sha256}};
}

// Every certificate of a CA bundle, as rows of `certs list`.
void add_bundle(json::array& out, const std::string& use, const config::Path& file) {
    if (file.empty())
        return;
    try {
        for (const auto& c : certs::describe_pem(read_pem_file(file, certs::kMaxDescribePem)))
            out.push_back(cert_json(use, "file " + file.string(), c));
    } catch (const std::exception& e) {
        out.push_back(
            json::object{{"use", use}, {"origin", "file " + file.string()}, {"problem", e.what()}});
    }
}

}  // namespace

template <class F>
auto Daemon::on_loop(F f) -> decltype(f()) {
    using R = decltype(f());
    // The task owns what it needs (captured by value) and does nothing once the daemon is
    // stopping: a caller that gave up must not see its request carried out afterwards.
    auto task = std::make_shared<std::packaged_task<R()>>([this, f = std::move(f)]() mutable {
        if (closing_)
            throw std::runtime_error("sekishod is stopping");
        return f();
    });
    auto done = task->get_future();
    boost::asio::post(io_, [task] { (*task)(); });
    while (done.wait_for(kLoopPoll) != std::future_status::ready) {
        if (closing_)
            throw std::runtime_error("sekishod is stopping");
    }
    return done.get();
}

void Daemon::start_control() {
    check_certificates();
    control::DaemonView& view = *this;
    control_service_ = std::make_unique<control::ControlService>(*queue_, view);
    control_server_ = std::make_unique<control::ControlServer>(
        settings_.daemon.control_socket, [this](const control::Caller& c, const json::object& req,
                                                UniqueFd file, control::Replier& reply) {
            control_service_->handle(c, req, reply, std::move(file));
        });
    control_server_->start();
    log::notice("control socket ready", {{"path", settings_.daemon.control_socket}});
}

void Daemon::stop_control() {
    closing_ = true;
    if (control_server_)
        control_server_->stop();
    control_server_.reset();
    control_service_.reset();
}

config::Settings Daemon::settings() {
    return on_loop([this] { return settings_; });
}

json::object Daemon::status() {
    return on_loop([this] { return status_on_loop(); });
}

void Daemon::items_changed() {
    boost::asio::post(io_, [this] {
        if (pipeline_)
            pipeline_->wake();
        if (hand_over_)
            hand_over_->wake();
        // A released request file goes out now, not at the next poll.
        if (chukan_ &&
            !queue_->list(queue::State::released, std::string(chukan::kSubmitSource), 1).empty())
            chukan_->wake_for_upload();
    });
}

json::object Daemon::chukan_status_json() const {
    const auto& st = chukan_->status();
    json::object m{{"state", chukan::name(st.state)},
                   {"ipsec_check", settings_.chukan.ipsec_check},
                   {"cycles", st.cycles},
                   {"items_taken", st.results_taken},
                   {"requests_uploaded", st.uploaded},
                   {"path_refusals", st.path_refusals}};
    if (st.last_cycle) {
        m["last_poll_at"] = rfc3339_utc(unix_ms(*st.last_cycle));
        m["last_poll_result"] = st.last_report.ok() ? "ok" : redact(st.last_report.error);
    }
    return m;
}

json::object Daemon::status_on_loop() const {
    json::object daemon{{"version", kVersion},
                        {"started_at", rfc3339_utc(unix_ms(started_))},
                        {"last_reload_failed", last_reload_failed_}};
    json::object sources;
    if (mynaportal_) {
        const auto& st = mynaportal_->status();
        json::object m{{"state", mynaportal::name(st.state)},
                       {"cycles", st.cycles},
                       {"items_taken", st.filings_taken}};
        if (st.last_cycle) {
            m["last_poll_at"] = rfc3339_utc(unix_ms(*st.last_cycle));
            m["last_poll_result"] = st.last_report.ok() ? "ok" : redact(st.last_report.error);
        }
        if (st.password_days_left)
            m["password_days_left"] = *st.password_days_left;
        sources["mynaportal"] = std::move(m);
    }
    if (chukan_)
        sources["chukan"] = chukan_status_json();
    json::object scanner;
    if (pipeline_) {
        const auto c = pipeline_->counters();
        scanner["available"] = c.scanner_available;
        if (!c.scanner_available)
            scanner["problem"] = c.scanner_problem;
        if (!c.scanner_version.empty())
            scanner["version"] = c.scanner_version;
        if (c.signatures_dated) {
            scanner["signatures_dated"] = rfc3339_utc(unix_ms(*c.signatures_dated));
            scanner["signature_age_hours"] =
                std::chrono::duration_cast<std::chrono::hours>(std::chrono::system_clock::now() -
                                                               *c.signatures_dated)
                    .count();
        }
        if (c.scanner_checked)
            scanner["checked_at"] = rfc3339_utc(unix_ms(*c.scanner_checked));
        if (c.scans_archives)
            scanner["scans_archives"] = *c.scans_archives;
    }
    json::array certificates;
    for (const auto& c : cert_states_) {
        json::object o{{"use", c.use}, {"origin", c.origin}};
        if (c.problem.empty()) {
            o["days_left"] = c.days_left;
            o["not_after"] = unix_time_text(c.not_after);
        } else {
            o["problem"] = c.problem;
        }
        certificates.push_back(std::move(o));
    }
    json::object oneway{{"destination", settings_.oneway.destination}};
    if (hand_over_) {
        const auto c = hand_over_->counters();
        oneway["sender_up"] = c.sender_running;
        oneway["sent"] = c.sent;
        oneway["datagrams"] = c.datagrams;
        oneway["bytes"] = c.bytes;
        oneway["refused_datagrams"] = c.refused;
        oneway["sender_failures"] = c.sender_failures;
    }
    json::array warns;
    for (const auto& w : warnings())
        warns.emplace_back(w);
    return {{"daemon", std::move(daemon)},   {"sources", std::move(sources)},
            {"scanner", std::move(scanner)}, {"certificates", std::move(certificates)},
            {"oneway", std::move(oneway)},   {"warnings", std::move(warns)}};
}

std::vector<std::string> Daemon::warnings() const {
    std::vector<std::string> w;
    if (!accepting_)
        w.push_back("disk space below queue.min_free_space: new items are refused");
    if (last_reload_failed_)
        w.push_back("the last reload failed: the previous configuration is in force");
    if (pipeline_) {
        const auto c = pipeline_->counters();
        if (!c.scanner_available)
            w.push_back("virus scanner unusable (" + c.scanner_problem + "): items wait");
    }
    if (settings_.oneway.destination.empty())
        w.push_back("oneway.destination is not set: released items stay in the queue");
    for (const auto& c : cert_states_) {
        if (!c.problem.empty()) {
            w.push_back(c.use + " certificate unreadable: " + c.problem);
        } else if (c.expiry == certs::Expiry::expired) {
            w.push_back(c.use + " certificate EXPIRED");
        } else if (c.expiry != certs::Expiry::ok) {
            w.push_back(c.use + " certificate expires in " + std::to_string(c.days_left) + " days");
        }
    }
    if (mynaportal_) {
        const auto& st = mynaportal_->status();
        if (st.state == mynaportal::SourceStatus::State::password_expired)
            w.push_back("Mynaportal password expired: polling stopped");
        else if (st.password_days_left && *st.password_days_left <= 30)
            w.push_back("Mynaportal password expires in " + std::to_string(*st.password_days_left) +
                        " days");
    }
    if (chukan_) {
        const auto& st = chukan_->status();
        if (st.state == chukan::SourceStatus::State::path_refused)
            w.push_back("chukan: not connecting, " + st.last_report.error);
    }
    if (settings_.chukan.enabled && settings_.chukan.ipsec_check == "off")
        w.push_back("chukan.ipsec_check is off: the IPsec path is not checked (tests only)");
    return w;
}

void Daemon::check_certificates() {
    std::vector<CertificateState> states;
    for (const std::string_view use : certs::kClientUses) {
        const config::PeerSettings* peer = peer_of_use(settings_, use);
        if (!peer->enabled)
            continue;
        CertificateState st;
        st.use = std::string(use);
        try {
            const auto rotated = cert_store_->current(use);
            st.origin = rotated ? "rotated generation " + std::to_string(rotated->generation)
                                : "configured " + peer->client_cert.string();
            const auto leaf =
                certs::describe_pem(rotated ? rotated->cert_pem : configured_client_cert(*peer))
                    .front();
            st.days_left = certs::days_left(leaf, std::chrono::system_clock::now());
            st.not_after = leaf.not_after;
            st.sha256 = leaf.sha256;
            st.expiry = certs::expiry_of(st.days_left);
        } catch (const std::exception& e) {
            st.problem = e.what();
        }
        states.push_back(std::move(st));
    }
    for (const auto& st : states) {
        const auto before = std::find_if(cert_states_.begin(), cert_states_.end(),
                                         [&](const auto& o) { return o.use == st.use; });
        const bool changed = before == cert_states_.end() || before->expiry != st.expiry;
        if (!changed || st.expiry == certs::Expiry::ok || !st.problem.empty())
            continue;
        if (st.expiry == certs::Expiry::expired) {
            log::error("client certificate has expired: rotate it (sekishoctl certs rotate)",
                       {{"use", st.use}, {"origin", st.origin}});
        } else {
            log::warning("client certificate expires soon: rotate it (sekishoctl certs rotate)",
                         {{"use", st.use}, {"days_left", st.days_left}, {"origin", st.origin}});
        }
    }
    cert_states_ = std::move(states);
}

json::array Daemon::certificates() {
    return on_loop([this] {
        json::array out;
        for (const std::string_view use : certs::kClientUses) {
            const config::PeerSettings* peer = peer_of_use(settings_, use);
            try {
                // A damaged store is when the listing is needed most: reported per use.
                const auto rotated = cert_store_->current(use);
                if (!rotated && peer->client_cert.empty())
                    continue;
                const std::string origin =
                    rotated ? "rotated generation " + std::to_string(rotated->generation) +
                                  " (installed " + unix_time_text(rotated->installed_at) + ")"
                            : "configured " + peer->client_cert.string();
                const auto leaf =
                    certs::describe_pem(rotated ? rotated->cert_pem : configured_client_cert(*peer))
                        .front();
                out.push_back(cert_json(std::string(use), origin, leaf));
            } catch (const std::exception& e) {
                out.push_back(json::object{{"use", std::string(use)}, {"problem", e.what()}});
            }
        }
        add_bundle(out, "mynaportal-server-ca", settings_.mynaportal.ca_file);
        add_bundle(out, "mynaportal-client-ca", settings_.mynaportal.client_ca_file);
        add_bundle(out, "chukan-server-ca", settings_.chukan.ca_file);
        add_bundle(out, "chukan-client-ca", settings_.chukan.client_ca_file);
        for (const auto& anchor : settings_.inspect.trust_anchors)
            add_bundle(out, "signature-trust-anchor", anchor);
        return out;
    });
}

json::object Daemon::rotate_certificate(const control::CertRotation& r, const queue::Actor& actor) {
    const auto key = r.key_pem.view();
    auto copy = std::make_shared<control::CertRotation>(control::CertRotation{
        r.use, r.cert_pem, config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end())),
        r.chain_pem});
    return on_loop([this, copy, actor] { return apply_rotation(*copy, actor); });
}

json::object Daemon::rollback_certificate(const std::string& use, const queue::Actor& actor) {
    return on_loop([this, use, actor] { return apply_rollback(use, actor); });
}

json::object Daemon::apply_rotation(const control::CertRotation& r, const queue::Actor& actor) {
    if (!certs::known_use(r.use))
        throw std::invalid_argument("unknown use \"" + r.use +
                                    "\" (mynaportal-client or chukan-client)");
    const config::PeerSettings& peer = *peer_of_use(settings_, r.use);
    const config::Path ca = peer.client_ca_file.empty() ? peer.ca_file : peer.client_ca_file;
    if (ca.empty()) {
        throw certs::RotationRefused(
            "no CA to check the chain against: set client_ca_file or "
            "ca_file of the source of " +
            r.use);
    }
    const auto key = r.key_pem.view();
    const auto secret = [&] {
        return config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end()));
    };
    certs::Candidate candidate{r.cert_pem, secret(), r.chain_pem};
    const auto info = certs::check_candidate(
        candidate,
        {ca, std::chrono::duration_cast<std::chrono::seconds>(settings_.certs.min_remaining),
         std::chrono::system_clock::now()});
    // The TLS library must take it as well before anything changes.
    tls_context_of(
        peer, certs::ClientCertificate{r.cert_pem + (r.chain_pem.empty() ? "" : "\n" + r.chain_pem),
                                       secret(), 0, 0});
    const auto generation = cert_store_->install(r.use, candidate);
    switch_certificate(r.use, actor, "certificate rotated",
                       {{"use", r.use},
                        {"generation", generation},
                        {"sha256", info.sha256},
                        {"not_after", unix_time_text(info.not_after)}});
    log::notice("client certificate rotated", {{"use", r.use},
                                               {"generation", generation},
                                               {"sha256", info.sha256},
                                               {"by_uid", actor.uid.value_or(0)}});
    check_certificates();
    auto out = cert_json(r.use, "rotated generation " + std::to_string(generation), info);
    out["generation"] = generation;
    const bool in_use = peer_of_use(settings_, r.use)->enabled;
    out["message"] = "installed " + r.use + " generation " + std::to_string(generation) +
                     " (sha256 " + info.sha256 + ", " +
                     std::to_string(out["days_left"].as_int64()) + " days left); " +
                     (in_use ? "new connections use it" : "no enabled source uses it yet");
    return out;
}

void Daemon::switch_certificate(const std::string& use, const queue::Actor& actor,
                                const std::string& action, queue::Details details) {
    try {
        apply_source_of(use);
        queue_->record(actor, {action, std::nullopt, std::nullopt, std::move(details)});
    } catch (...) {
        // Unusable or unaudited: what was in force before is put back (a rollback swaps
        // current and previous, so it also undoes a rollback).
        cert_store_->rollback(use);
        apply_source_of(use);
        throw;
    }
}

json::object Daemon::apply_rollback(const std::string& use, const queue::Actor& actor) {
    if (!certs::known_use(use))
        throw std::invalid_argument("unknown use \"" + use +
                                    "\" (mynaportal-client or chukan-client)");
    const auto generation = cert_store_->rollback(use);
    switch_certificate(use, actor, "certificate rolled back",
                       {{"use", use}, {"generation", generation}});
    log::notice("client certificate rolled back",
                {{"use", use}, {"generation", generation}, {"by_uid", actor.uid.value_or(0)}});
    check_certificates();
    const std::string now_in_force =
        generation == 0 ? "the configured certificate" : "generation " + std::to_string(generation);
    return {{"use", use},
            {"generation", generation},
            {"message", use + ": " + now_in_force + " is in force again"}};
}

void Daemon::certificate_metrics(MetricsText& m) const {
    for (const auto& c : cert_states_) {
        if (!c.problem.empty())
            continue;
        m.gauge("sekisho_certificate_days_left", "Days until a client certificate in force expires",
                static_cast<double>(c.days_left), {{"use", c.use}});
        m.gauge("sekisho_certificate_expiry_timestamp_seconds",
                "Expiry of a client certificate in force, Unix seconds",
                static_cast<double>(c.not_after), {{"use", c.use}});
    }
}

}  // namespace sekisho::daemon

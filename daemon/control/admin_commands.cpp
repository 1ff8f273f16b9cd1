#include "daemon/control/admin_commands.hpp"

#include <openssl/crypto.h>

#include <sstream>

#include "daemon/control/request_fields.hpp"
#include "daemon/control/service.hpp"

namespace sekisho::control {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxPemBytes = 64 * 1024;

constexpr std::int64_t kExportPage = 500;

// Sends a page of JSON Lines as one frame per line.
std::int64_t send_lines(const std::string& page, Replier& reply) {
    std::int64_t n = 0;
    std::size_t start = 0;
    for (std::size_t end; (end = page.find('\n', start)) != std::string::npos; start = end + 1) {
        reply.line(std::string_view(page).substr(start, end - start));
        ++n;
    }
    return n;
}

}  // namespace

void run_status(queue::Queue& q, DaemonView& view, Replier& reply) {
    json::object result = view.status();
    json::object states;
    for (const auto& [state, n] : q.counts())
        states[queue::name(state)] = n;
    result["items"] = std::move(states);
    result["notices_pending"] = q.pending_notices();
    result["releases_awaiting_approval"] = static_cast<std::int64_t>(q.pending_releases().size());
    result["audit_records"] = q.audit_records();
    result["accepting_new_items"] = q.accepting_new_items();
    result["free_bytes"] = q.free_bytes();
    reply.done(kExitOk, "", std::move(result));
}

void run_audit_verify(queue::Queue& q, Replier& reply) {
    const auto v = q.verify_audit();
    for (const auto& p : v.problems)
        reply.row(json::object{{"seq", p.seq}, {"problem", p.what}});
    json::object result{{"records", v.records},
                        {"last_seq", v.last_seq},
                        {"head_hash", v.head_hash},
                        {"ok", v.ok()}};
    if (v.ok()) {
        reply.done(
            kExitOk,
            "audit log intact: " + std::to_string(v.records) + " records, head hash " + v.head_hash,
            std::move(result));
    } else {
        reply.done(kExitFailed,
                   "audit log DAMAGED: " + std::to_string(v.problems.size()) + " problems in " +
                       std::to_string(v.records) + " records",
                   std::move(result));
    }
}

void run_audit_export(queue::Queue& q, const json::object& request, Replier& reply) {
    const auto since = optional_integer(request, "since_ms");
    const auto until = optional_integer(request, "until_ms");
    std::int64_t n = 0;
    for (std::int64_t after = 0;;) {
        // The queue is locked while a page is read, not while the client takes it.
        std::ostringstream page;
        const auto last = q.export_audit_page(page, since, until, after, kExportPage);
        if (last == after)
            break;
        after = last;
        n += send_lines(page.str(), reply);
        if (reply.client_gone())
            break;
    }
    reply.done(kExitOk, "exported " + std::to_string(n) + " records", {{"records", n}});
}

void run_keys_rotate(queue::Queue& q, const queue::Actor& actor, Replier& reply) {
    const auto r = q.rotate_keys(actor);
    reply.done(kExitOk,
               "new working keys: queue key " + std::to_string(r.queue_key_id) + ", audit key " +
                   std::to_string(r.audit_key_id) + "; " + std::to_string(r.rewrapped) +
                   " item keys re-wrapped",
               {{"queue_key_id", r.queue_key_id},
                {"audit_key_id", r.audit_key_id},
                {"rewrapped", r.rewrapped}});
}

void run_certs_list(DaemonView& view, Replier& reply) {
    auto certs = view.certificates();
    const auto n = certs.size();
    for (auto& c : certs)
        reply.row(std::move(c));
    reply.done(kExitOk, std::to_string(n) + " certificates");
}

void run_certs_rotate(DaemonView& view, const queue::Actor& actor, const json::object& request,
                      Replier& reply) {
    CertRotation r;
    r.use = required_text(request, "use", 64);
    r.cert_pem = required_text(request, "cert", kMaxPemBytes);
    std::string key = required_text(request, "key", kMaxPemBytes);
    r.key_pem = config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end()));
    OPENSSL_cleanse(key.data(), key.size());
    r.chain_pem = optional_text(request, "chain", kMaxPemBytes).value_or("");
    auto result = view.rotate_certificate(r, actor);
    const std::string message =
        result.contains("message") ? std::string(result["message"].as_string()) : "installed";
    reply.done(kExitOk, message, std::move(result));
}

void run_certs_rollback(DaemonView& view, const queue::Actor& actor, const json::object& request,
                        Replier& reply) {
    auto result = view.rollback_certificate(required_text(request, "use", 64), actor);
    const std::string message =
        result.contains("message") ? std::string(result["message"].as_string()) : "rolled back";
    reply.done(kExitOk, message, std::move(result));
}

}  // namespace sekisho::control

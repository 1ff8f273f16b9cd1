#include "daemon/source_settings.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace sekisho::daemon {
namespace {

constexpr std::size_t kMaxPemBytes = 64 * 1024;

std::string read_pem(const config::Path& file, std::size_t max_bytes = kMaxPemBytes) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > max_bytes)
        throw std::runtime_error(file.string() + " is too large");
    return text.str();
}

}  // namespace

http::Timeouts timeouts_of(const config::PeerSettings& peer) {
    const auto t = std::chrono::duration_cast<std::chrono::milliseconds>(peer.timeout);
    return {t, t, t};
}

std::shared_ptr<http::TlsClientContext> tls_context_of(
    const config::PeerSettings& peer, std::optional<certs::ClientCertificate> rotated) {
    if (rotated) {
        return http::TlsClientContext::create(
            {peer.ca_file, peer.pin_sha256, rotated->cert_pem, std::move(rotated->key_pem)});
    }
    return http::TlsClientContext::create(
        {peer.ca_file, peer.pin_sha256, read_pem(peer.client_cert),
         config::load_secret(peer.client_key, {.owner = ::geteuid(), .max_size = kMaxPemBytes})});
}

std::string read_pem_file(const config::Path& file, std::size_t max_bytes) {
    return read_pem(file, max_bytes);
}

std::string configured_client_cert(const config::PeerSettings& peer) {
    return read_pem(peer.client_cert);
}

mynaportal::PollSettings mynaportal_settings(const config::Settings& s,
                                             const certs::CertStore* store) {
    const auto& m = s.mynaportal;
    mynaportal::PollSettings p;
    p.endpoint = http::Endpoint::parse(m.base_url);
    p.tls = tls_context_of(
        m, store ? store->current("mynaportal-client") : std::optional<certs::ClientCertificate>{});
    p.timeouts = timeouts_of(m);
    p.limits.max_package = s.inspect.max_package;
    p.user_id = m.user_id;
    p.concurrency = static_cast<std::size_t>(m.concurrency);
    p.password = m.password_credential;
    return p;
}

chukan::PollSettings chukan_settings(const config::Settings& s, const certs::CertStore* store) {
    const auto& c = s.chukan;
    chukan::PollSettings p;
    p.endpoint = http::Endpoint::parse(c.base_url);
    p.tls = tls_context_of(
        c, store ? store->current("chukan-client") : std::optional<certs::ClientCertificate>{});
    p.timeouts = timeouts_of(c);
    p.ipsec = chukan::parse_ipsec_check(c.ipsec_check);
    p.status_interval = std::chrono::duration_cast<std::chrono::milliseconds>(c.status_interval);
    // A file clamd would refuse as too large could never be scanned: it is not fetched.
    p.limits.max_file = std::min(p.limits.max_file, s.clamd.max_stream);
    return p;
}

}  // namespace sekisho::daemon

#pragma once
// Turns the configuration of a source into what its adapter needs: the endpoint, the TLS
// context (certificate, key and CA loaded and checked now, so a bad one fails the start or
// the reload instead of every poll) and the limits.

#include <optional>

#include "adapters/chukan/poller.hpp"
#include "adapters/mynaportal/poller.hpp"
#include "certs/cert_store.hpp"
#include "config/settings.hpp"

namespace sekisho::daemon {

http::Timeouts timeouts_of(const config::PeerSettings& peer);
// The client certificate is the rotated one (certs rotate) when there is one, else the
// configured client_cert/client_key.
std::shared_ptr<http::TlsClientContext> tls_context_of(
    const config::PeerSettings& peer, std::optional<certs::ClientCertificate> rotated);
mynaportal::PollSettings mynaportal_settings(const config::Settings& s,
                                             const certs::CertStore* store);
chukan::PollSettings chukan_settings(const config::Settings& s, const certs::CertStore* store);
// The configured client certificate file of a use ("mynaportal-client"), as PEM.
std::string configured_client_cert(const config::PeerSettings& peer);
// A PEM file of at most max_bytes (64 KiB by default; CA bundles may be larger).
std::string read_pem_file(const config::Path& file, std::size_t max_bytes = 64 * 1024);

}  // namespace sekisho::daemon

#pragma once
// The TLS side of a client, built once from configuration and shared by its connections:
// TLS 1.2+ only, the configured CA file as the only trust anchor, the client certificate
// and key for mutual TLS, and the SPKI pins a server leaf must match.

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/digest.hpp"
#include "config/secret.hpp"

namespace sekisho::http {

struct ClientTls {
    std::filesystem::path ca_file;        // PEM bundle; the only trust anchors (no system store)
    std::vector<std::string> pin_sha256;  // base64 SHA-256 of a leaf's DER SubjectPublicKeyInfo
    std::string client_cert_chain_pem;    // leaf first, then intermediates
    config::SecretBytes client_key_pem;   // PEM, unencrypted; stays in memory only
};

class TlsClientContext {
  public:
    // Loads and checks everything now, so that a bad CA file, certificate, key or pin stops
    // start-up instead of failing every poll. Throws std::runtime_error naming the item
    // (never quoting the key). Certificate and key must be given both or neither.
    static std::shared_ptr<TlsClientContext> create(const ClientTls& tls);

    boost::asio::ssl::context& native() { return context_; }
    bool has_pins() const { return !pins_.empty(); }
    std::size_t pin_count() const { return pins_.size(); }
    bool pin_matches(const Sha256Digest& spki_sha256) const;

  private:
    TlsClientContext();

    boost::asio::ssl::context context_;
    std::vector<Sha256Digest> pins_;
};

}  // namespace sekisho::http

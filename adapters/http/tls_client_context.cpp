#include "adapters/http/tls_client_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <stdexcept>

namespace sekisho::http {
namespace {

// The reason of the newest OpenSSL error (library and reason only, never data), and the
// queue cleared so that it does not leak into a later, unrelated error.
std::string openssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0)
        return "unknown error";
    const char* reason = ERR_reason_error_string(code);
    return reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(code));
}

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("TLS client: " + what + ": " + openssl_reason());
}

void restrict_protocol(SSL_CTX* ctx) {
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
        fail("cannot require TLS 1.2");
    // No compression (CRIME), no renegotiation (a server could re-run the handshake with
    // weaker parameters mid-connection).
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
}

void load_trust_anchors(SSL_CTX* ctx, const std::filesystem::path& ca_file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(ca_file, ec))
        throw std::runtime_error("TLS client: CA file " + ca_file.string() +
                                 " is missing or not a regular file");
    // Only this file: the system store would let any public CA vouch for the server.
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1)
        fail("CA file " + ca_file.string());
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
    if (objects == nullptr || sk_X509_OBJECT_num(objects) == 0)
        throw std::runtime_error("TLS client: CA file " + ca_file.string() +
                                 " holds no certificate");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
}

// A passphrase callback that refuses: without it OpenSSL would prompt on the terminal for
// an encrypted key.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

void load_client_identity(SSL_CTX* ctx, const ClientTls& tls) {
    if (tls.client_cert_chain_pem.empty() != tls.client_key_pem.empty())
        throw std::runtime_error("TLS client: client certificate and key must be given together");
    if (tls.client_cert_chain_pem.empty())
        return;
    std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
        BIO_new_mem_buf(tls.client_cert_chain_pem.data(),
                        static_cast<int>(tls.client_cert_chain_pem.size())),
        BIO_free);
    if (!cert_bio)
        fail("client certificate");
    std::unique_ptr<X509, decltype(&X509_free)> leaf(
        PEM_read_bio_X509(cert_bio.get(), nullptr, no_passphrase, nullptr), X509_free);
    if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1)
        fail("client certificate");
    SSL_CTX_clear_chain_certs(ctx);
    for (;;) {
        X509* extra = PEM_read_bio_X509(cert_bio.get(), nullptr, no_passphrase, nullptr);
        if (extra == nullptr)
            break;
        if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
            X509_free(extra);
            fail("client certificate chain");
        }
    }
    ERR_clear_error();  // the loop ends on "no start line", which is not an error

    // A read-only memory BIO over the secret: the key is never copied to a file or string.
    std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
        BIO_new_mem_buf(tls.client_key_pem.data(), static_cast<int>(tls.client_key_pem.size())),
        BIO_free);
    if (!key_bio)
        fail("client private key");
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr), EVP_PKEY_free);
    if (!key)
        fail("client private key");
    if (X509_check_private_key(leaf.get(), key.get()) != 1)
        fail("client private key does not match the client certificate");
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1)
        fail("client private key");
}

std::vector<Sha256Digest> decode_pins(const std::vector<std::string>& pins) {
    std::vector<Sha256Digest> out;
    for (const auto& pin : pins) {
        const auto bytes = base64_decode(pin);
        if (!bytes || bytes->size() != Sha256Digest{}.size())
            throw std::runtime_error("TLS client: pin \"" + pin +
                                     "\" is not base64 of a 32-byte SHA-256");
        Sha256Digest digest{};
        std::copy(bytes->begin(), bytes->end(), digest.begin());
        out.push_back(digest);
    }
    return out;
}

}  // namespace

TlsClientContext::TlsClientContext() : context_(boost::asio::ssl::context::tls_client) {}

std::shared_ptr<TlsClientContext> TlsClientContext::create(const ClientTls& tls) {
    std::shared_ptr<TlsClientContext> out(new TlsClientContext());
    SSL_CTX* ctx = out->context_.native_handle();
    restrict_protocol(ctx);
    load_trust_anchors(ctx, tls.ca_file);
    load_client_identity(ctx, tls);
    out->pins_ = decode_pins(tls.pin_sha256);
    return out;
}

bool TlsClientContext::pin_matches(const Sha256Digest& spki_sha256) const {
    return std::find(pins_.begin(), pins_.end(), spki_sha256) != pins_.end();
}

}  // namespace sekisho::http

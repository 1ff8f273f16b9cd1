#pragma once
// Per-datagram AES-256-GCM of PROTOCOL.md. Each session has its own key, derived from
// the shared oneway_key with HKDF-SHA256 and the session number, so the 64-bit sequence
// number can serve as the nonce. The clear header is the associated data: no bit of a
// datagram can change unnoticed. One object per thread (it keeps an EVP context).

#include <openssl/evp.h>

#include <memory>

#include "adapters/oneway/wire.hpp"
#include "config/secret.hpp"

namespace sekisho::oneway {

class SessionCipher {
  public:
    SessionCipher(const config::SecretBytes& oneway_key, std::uint64_t session);
    ~SessionCipher();
    SessionCipher(const SessionCipher&) = delete;
    SessionCipher& operator=(const SessionCipher&) = delete;

    std::uint64_t session() const { return session_; }

    // Header, then the encrypted concatenation of `parts`, then the tag, into `out`
    // (resized). Throws std::invalid_argument when it would not fit in one datagram.
    void seal(Type type, std::uint64_t sequence, std::span<const ByteView> parts, Bytes& out);
    // The body of an authentic datagram of this session, or false (nothing written to
    // `body` that could be mistaken for a body: it is cleared).
    bool open(const Header& header, ByteView datagram, Bytes& body);

  private:
    struct CtxFree {
        void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
    };
    std::uint64_t session_;
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> enc_;
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> dec_;
};

}  // namespace sekisho::oneway

#include "queue/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

namespace sekisho::queue {
namespace {

struct CipherCtxDeleter {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

CipherCtx new_ctx() {
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    return ctx;
}

void check(int ok, const char* what) {
    if (ok != 1)
        throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

void require_key(const config::SecretBytes& key) {
    if (key.size() != kKeyBytes)
        throw std::invalid_argument("AES-256 key must be 32 bytes");
}

}  // namespace

ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

void random_bytes(std::span<unsigned char> out) {
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
}

config::SecretBytes random_key() {
    Bytes key(kKeyBytes);
    random_bytes(key);
    return config::SecretBytes(std::move(key));
}

Bytes seal_blob(const config::SecretBytes& key, ByteView plaintext, ByteView aad) {
    require_key(key);
    Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
    random_bytes(std::span(out.data(), kNonceBytes));
    auto ctx = new_ctx();
    check(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data()),
          "EncryptInit");
    int len = 0;
    check(EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())),
          "EncryptUpdate(aad)");
    check(EVP_EncryptUpdate(ctx.get(), out.data() + kNonceBytes, &len, plaintext.data(),
                            static_cast<int>(plaintext.size())),
          "EncryptUpdate");
    check(EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceBytes + len, &len), "EncryptFinal");
    check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                              out.data() + kNonceBytes + plaintext.size()),
          "GET_TAG");
    return out;
}

config::SecretBytes open_blob(const config::SecretBytes& key, ByteView sealed, ByteView aad) {
    require_key(key);
    if (sealed.size() < kNonceBytes + kTagBytes)
        throw AuthError("sealed blob too short");
    const std::size_t n = sealed.size() - kNonceBytes - kTagBytes;
    Bytes plain(n);
    auto ctx = new_ctx();
    check(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()),
          "DecryptInit");
    int len = 0;
    check(EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())),
          "DecryptUpdate(aad)");
    check(EVP_DecryptUpdate(ctx.get(), plain.data(), &len, sealed.data() + kNonceBytes,
                            static_cast<int>(n)),
          "DecryptUpdate");
    Bytes tag(sealed.end() - static_cast<std::ptrdiff_t>(kTagBytes), sealed.end());
    check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                              tag.data()),
          "SET_TAG");
    if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &len) != 1) {
        OPENSSL_cleanse(plain.data(), plain.size());
        throw AuthError("sealed blob does not authenticate");
    }
    return config::SecretBytes(std::move(plain));
}

Digest hmac_sha256(const config::SecretBytes& key, ByteView data) {
    Digest out{};
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
             out.data(), &len) == nullptr ||
        len != out.size()) {
        throw std::runtime_error("HMAC failed");
    }
    return out;
}

bool constant_time_equal(ByteView a, ByteView b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sekisho::queue

#include "adapters/oneway/datagram_crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>

#include <array>
#include <stdexcept>

namespace sekisho::oneway {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr char kSalt[] = "sekisho-oneway-v1";

[[noreturn]] void crypto_failure(const char* what) {
    throw std::runtime_error(std::string("one-way datagram crypto: ") + what + " failed");
}

std::array<unsigned char, kKeyBytes> session_key(const config::SecretBytes& master,
                                                 std::uint64_t session) {
    if (master.size() != kKeyBytes)
        throw std::invalid_argument("oneway_key must hold exactly 32 bytes");
    std::array<unsigned char, 8> info{};
    for (int i = 0; i < 8; ++i)
        info[i] = static_cast<unsigned char>(session >> (56 - 8 * i));
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
    EVP_KDF_free(kdf);
    if (ctx == nullptr)
        crypto_failure("HKDF setup");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                          const_cast<unsigned char*>(master.data()), master.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kSalt),
                                          sizeof(kSalt) - 1),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_end()};
    std::array<unsigned char, kKeyBytes> key{};
    const int ok = EVP_KDF_derive(ctx, key.data(), key.size(), params);
    EVP_KDF_CTX_free(ctx);
    if (ok != 1)
        crypto_failure("HKDF");
    return key;
}

std::array<unsigned char, 12> nonce_of(std::uint64_t sequence) {
    std::array<unsigned char, 12> n{};
    for (int i = 0; i < 8; ++i)
        n[4 + i] = static_cast<unsigned char>(sequence >> (56 - 8 * i));
    return n;
}

}  // namespace

SessionCipher::SessionCipher(const config::SecretBytes& oneway_key, std::uint64_t session)
    : session_(session), enc_(EVP_CIPHER_CTX_new()), dec_(EVP_CIPHER_CTX_new()) {
    if (!enc_ || !dec_)
        crypto_failure("context allocation");
    auto key = session_key(oneway_key, session);
    const bool ok =
        EVP_EncryptInit_ex(enc_.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) == 1 &&
        EVP_DecryptInit_ex(dec_.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) == 1;
    OPENSSL_cleanse(key.data(), key.size());
    if (!ok)
        crypto_failure("AES-256-GCM key setup");
}

SessionCipher::~SessionCipher() = default;

void SessionCipher::seal(Type type, std::uint64_t sequence, std::span<const ByteView> parts,
                         Bytes& out) {
    std::size_t body = 0;
    for (const auto& p : parts)
        body += p.size();
    if (body > kMaxBody)
        throw std::invalid_argument("datagram body larger than one datagram allows");
    const auto header = encode_header({type, session_, sequence});
    out.resize(kHeaderBytes + body + kTagBytes);
    std::copy(header.begin(), header.end(), out.begin());
    const auto nonce = nonce_of(sequence);
    int len = 0;
    EVP_CIPHER_CTX* c = enc_.get();
    if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
        EVP_EncryptUpdate(c, nullptr, &len, header.data(), kHeaderBytes) != 1)
        crypto_failure("encryption setup");
    unsigned char* dst = out.data() + kHeaderBytes;
    for (const auto& p : parts) {
        if (p.empty())
            continue;
        if (EVP_EncryptUpdate(c, dst, &len, p.data(), static_cast<int>(p.size())) != 1)
            crypto_failure("encryption");
        dst += len;
    }
    if (EVP_EncryptFinal_ex(c, dst, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + kHeaderBytes + body) !=
            1)
        crypto_failure("encryption final");
}

bool SessionCipher::open(const Header& header, ByteView d, Bytes& body) {
    body.clear();
    if (header.session != session_ || d.size() < kHeaderBytes + kTagBytes)
        return false;
    const std::size_t n = d.size() - kHeaderBytes - kTagBytes;
    body.resize(n);
    const auto nonce = nonce_of(header.sequence);
    EVP_CIPHER_CTX* c = dec_.get();
    int len = 0;
    bool ok = EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
              EVP_DecryptUpdate(c, nullptr, &len, d.data(), kHeaderBytes) == 1 &&
              (n == 0 || EVP_DecryptUpdate(c, body.data(), &len, d.data() + kHeaderBytes,
                                           static_cast<int>(n)) == 1) &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTagBytes,
                                  const_cast<std::uint8_t*>(d.data() + kHeaderBytes + n)) == 1;
    ok = ok && EVP_DecryptFinal_ex(c, body.data() + n, &len) == 1;
    if (!ok)
        body.clear();
    return ok;
}

}  // namespace sekisho::oneway

#include "common/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace sekisho {

Sha256Digest sha256(std::span<const unsigned char> bytes) {
    Sha256 hasher;
    hasher.update(bytes);
    return hasher.finish();
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256: cannot initialise the digest");
    }
}

void Sha256::update(std::span<const unsigned char> bytes) {
    if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1) {
        throw std::runtime_error("SHA-256: digest update failed");
    }
}

Sha256Digest Sha256::finish() {
    Sha256Digest out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size()) {
        throw std::runtime_error("SHA-256: digest finalisation failed");
    }
    return out;
}

std::string hex_lower(std::span<const unsigned char> bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

}  // namespace sekisho

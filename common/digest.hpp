#pragma once
// SHA-256 (OpenSSL EVP) and lower-case hex: the one implementation the queue, the HTTPS
// layer and everything else use.

#include <openssl/types.h>

#include <array>
#include <memory>
#include <span>
#include <string>

namespace sekisho {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::span<const unsigned char> bytes);

// Incremental SHA-256, for data that is only ever seen in pieces.
class Sha256 {
  public:
    Sha256();
    void update(std::span<const unsigned char> bytes);
    Sha256Digest finish();  // once; the object cannot be updated afterwards

  private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string hex_lower(std::span<const unsigned char> bytes);

}  // namespace sekisho

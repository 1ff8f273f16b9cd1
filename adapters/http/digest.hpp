#pragma once
// SHA-256 and base64, the two encodings the transport needs for SPKI pins, certificate
// fingerprints and the Repr-Digest header.

#include <openssl/types.h>

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sekisho::http {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::span<const unsigned char> bytes);

// Incremental SHA-256, for bodies that are only ever seen in pieces.
class Sha256 {
  public:
    Sha256();
    void update(std::span<const unsigned char> bytes);
    Sha256Digest finish();  // once; the object cannot be updated afterwards

  private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

// Standard alphabet (RFC 4648 section 4) with padding.
std::string base64_encode(std::span<const unsigned char> bytes);
// Strict: standard alphabet, no white space, no bits set after the last byte. Padding is
// required unless `padding_optional` (RFC 8941 byte sequences tolerate its absence).
std::optional<std::string> base64_decode(std::string_view text, bool padding_optional = false);

std::string hex_lower(std::span<const unsigned char> bytes);

}  // namespace sekisho::http

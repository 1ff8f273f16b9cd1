#pragma once
// The few cryptographic operations the queue needs, on OpenSSL 3's EVP interface:
// random bytes, AES-256-GCM for single small blobs (wrapped keys, sealed metadata),
// SHA-256 and HMAC-SHA-256. Chunked payload sealing is in seal_format.hpp.

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "config/secret.hpp"

namespace sekisho::queue {

using Bytes = std::vector<unsigned char>;
using ByteView = std::span<const unsigned char>;
using Digest = Sha256Digest;
using sekisho::Sha256;

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kNonceBytes = 12;
inline constexpr std::size_t kTagBytes = 16;

// Authentication failed: tampered, truncated, wrong key or wrong context.
class AuthError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

ByteView as_bytes(std::string_view s);

void random_bytes(std::span<unsigned char> out);
config::SecretBytes random_key();

// nonce || ciphertext || tag, with a random nonce.
Bytes seal_blob(const config::SecretBytes& key, ByteView plaintext, ByteView aad);
// Throws AuthError when the blob does not authenticate.
config::SecretBytes open_blob(const config::SecretBytes& key, ByteView sealed, ByteView aad);

using sekisho::sha256;
Digest hmac_sha256(const config::SecretBytes& key, ByteView data);
inline std::string to_hex(ByteView bytes) {
    return hex_lower(bytes);
}
bool constant_time_equal(ByteView a, ByteView b);

}  // namespace sekisho::queue

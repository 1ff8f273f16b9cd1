#pragma once
// SHA-256 and base64, the two encodings the transport needs for SPKI pins, certificate
// fingerprints and the Repr-Digest header.

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/digest.hpp"

namespace sekisho::http {

// SHA-256 and hex come from common/digest.hpp.
using sekisho::hex_lower;
using sekisho::Sha256;
using sekisho::sha256;
using sekisho::Sha256Digest;

// Standard alphabet (RFC 4648 section 4) with padding.
std::string base64_encode(std::span<const unsigned char> bytes);
// Strict: standard alphabet, no white space, no bits set after the last byte. Padding is
// required unless `padding_optional` (RFC 8941 byte sequences tolerate its absence).
std::optional<std::string> base64_decode(std::string_view text, bool padding_optional = false);

}  // namespace sekisho::http

#pragma once
// RFC 9530 `Repr-Digest` for the sha-256 algorithm: the header a download carries so the
// client can check the bytes it stored are the bytes the server meant.

#include <string>
#include <string_view>

#include "adapters/http/digest.hpp"

namespace sekisho::http {

// Parses a Repr-Digest field value (a Structured Fields Dictionary, RFC 8941), e.g.
// `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`, possibly with other algorithms,
// and returns the 32 bytes of its sha-256 member. Several field lines may be passed joined
// with ", ". Throws std::invalid_argument saying why when the value is not a well-formed
// dictionary, has no sha-256 member or more than one, or that member is not a byte
// sequence of exactly 32 bytes.
Sha256Digest parse_repr_digest_sha256(std::string_view field_value);

// `sha-256=:<base64>:`
std::string format_repr_digest_sha256(const Sha256Digest& digest);

}  // namespace sekisho::http

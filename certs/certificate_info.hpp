#pragma once
// What an operator needs to know about a certificate (`sekishoctl certs list`, expiry
// warnings), read from X509 or PEM without keeping any OpenSSL object around.

#include <openssl/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::certs {

struct CertInfo {
    std::string subject;  // RFC 2253 one-line, e.g. "CN=client,O=Test"
    std::string issuer;
    std::vector<std::string> sans;  // "DNS:name", "IP:192.0.2.1", "email:..", "URI:.."
    std::int64_t not_before = 0;    // Unix seconds
    std::int64_t not_after = 0;
    std::string sha256;  // lower-case hex of SHA-256 over the DER, no colons
};

// Throws std::runtime_error when the certificate cannot be encoded or has unreadable times.
CertInfo describe(const X509* cert);

// Every certificate of a PEM text, in order; throws std::runtime_error (with a clear
// message, never the PEM) when there is none or one does not parse. Input limited to
// kMaxDescribePem.
inline constexpr std::size_t kMaxDescribePem = 256 * 1024;
std::vector<CertInfo> describe_pem(std::string_view pem);

// Whole days left until not_after, rounded down; negative once expired.
std::int64_t days_left(const CertInfo& c, std::chrono::system_clock::time_point now);

}  // namespace sekisho::certs

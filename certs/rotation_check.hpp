#pragma once
// The checks a new client certificate must pass before `certs rotate` installs it, so a
// rotation can never put the daemon in a state where it cannot connect.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "certs/certificate_info.hpp"
#include "config/secret.hpp"

namespace sekisho::certs {

class RotationRefused : public std::runtime_error {
  public:
    using runtime_error::runtime_error;
};

// Each of the three PEM texts is limited to this size, and so are the certificate and
// chain together (they are stored as one file).
inline constexpr std::size_t kMaxCandidatePem = 64 * 1024;

struct Candidate {
    std::string cert_pem;         // the leaf certificate (may be followed by intermediates)
    config::SecretBytes key_pem;  // its private key, PEM (unencrypted)
    std::string chain_pem;        // optional intermediates
};

struct RotationPolicy {
    std::filesystem::path ca_file;                       // the CA bundle the chain must reach
    std::chrono::seconds min_remaining{30 * 24 * 3600};  // must not expire within this
    std::chrono::system_clock::time_point now;
};

// Checks, in this order, and throws RotationRefused naming the first failed check in
// words an administrator understands: the PEM texts parse (none larger than
// kMaxCandidatePem, no private key among the certificates), the key matches the
// certificate, the certificate is valid at `now`, it carries the clientAuth extended key
// usage explicitly, the chain (intermediates from cert_pem and chain_pem) verifies to
// ca_file for the purpose sslclient at `now` with keys and signatures of at least 112-bit
// strength, and it stays valid for at least min_remaining. Returns the leaf's CertInfo.
CertInfo check_candidate(const Candidate& c, const RotationPolicy& p);

}  // namespace sekisho::certs

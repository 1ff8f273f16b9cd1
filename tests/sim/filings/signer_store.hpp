#pragma once
// The test CA and the signers of the generated packages, kept in --ca-dir. An existing
// trust anchor (trust-anchor.pem + trust-anchor.key) is reused, and so is every signer
// there that it issued and that is still in its intended validity state, so that several
// runs produce packages for the same trust anchor and the same CRL. Not thread-safe.

#include <array>
#include <filesystem>
#include <map>

#include "tests/sim/pki.hpp"

namespace sekisho::sim::filings {

enum class Signer {
    rsa,            // RSA-2048, the usual certificate signer
    p256,           // ECDSA P-256
    rsa1024,        // chains to the trust anchor, but too weak
    expired,        // validity ended yesterday
    not_yet_valid,  // validity starts in 30 days
    revoked_rsa,    // on crl.pem
    revoked_p256,   // on crl.pem
    foreign,        // issued by untrusted-ca.pem
    self_signed,
    no_signing_usage,  // keyUsage without digitalSignature and nonRepudiation
};

class SignerStore {
  public:
    // Loads or creates the two CAs and writes crl.pem (revoking the revoked signers present).
    explicit SignerStore(std::filesystem::path ca_dir);

    const Issued& trust_anchor() const { return anchor_; }
    const Issued& untrusted_ca() const { return untrusted_; }
    // Loads or creates the signer on first use (key generation is the slow part of a run, and
    // a run writes only the signers it uses); a new revoked signer rewrites crl.pem.
    const Issued& get(Signer which) const;

  private:
    const Issued& load_or_make(Signer which) const;
    void write_crl() const;

    std::filesystem::path dir_;
    Issued anchor_;
    Issued untrusted_;
    mutable std::map<Signer, Issued> signers_;
};

}  // namespace sekisho::sim::filings

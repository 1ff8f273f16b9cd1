#pragma once
// The signer certificate checks of spec §3, done with OpenSSL's X509_STORE and never left to
// xmlsec's keys manager: chain to a configured trust anchor, validity at the inspection time,
// revocation by a configured CRL, key usage and key strength.

#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Trust anchors (PEM contents) and CRLs (PEM or DER contents) of the configuration. Throws
// std::runtime_error naming the list position when one cannot be parsed: a broken trust
// configuration is an operator's problem, not a verdict about a package.
class TrustStore {
  public:
    TrustStore(const std::vector<std::string>& anchors_pem, const std::vector<std::string>& crls);
    // The store for these contents, built once and kept while every request brings the same
    // ones (the worker gets the configuration's files with each package; parsing them each
    // time cost about a fifth of an inspection). A different configuration replaces it.
    static std::shared_ptr<const TrustStore> shared(const std::vector<std::string>& anchors_pem,
                                                    const std::vector<std::string>& crls);
    ~TrustStore();
    TrustStore(const TrustStore&) = delete;
    TrustStore& operator=(const TrustStore&) = delete;

    // Adds E-SIG-UNTRUSTED, E-SIG-EXPIRED, E-SIG-REVOKED or E-SIG-WEAK for `signer`, with
    // `intermediates` as untrusted helpers for the chain. `where` names the position of the
    // certificate. Without a CRL configured for an issuer, its certificates are taken as not
    // revoked (spec §3: revoked means revoked by a configured CRL); a configured CRL that is
    // stale, not yet valid or badly signed makes the status unknown: E-SIG-UNTRUSTED.
    void check(X509* signer, const std::vector<X509*>& intermediates, std::time_t now,
               const std::string& where, Verdict& verdict) const;

  private:
    X509_STORE* store_;
    bool has_crls_ = false;
};

// E-SIG-WEAK unless the key is RSA of at least 2048 bits or EC on P-256. Returns whether the
// key may be used to verify.
bool check_signer_key(EVP_PKEY* key, const std::string& where, Verdict& verdict);

}  // namespace sekisho::inspect

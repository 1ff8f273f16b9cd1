#include "daemon/inspect/trust_store.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>

#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect {
namespace {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct CrlFree {
    void operator()(X509_CRL* crl) const { X509_CRL_free(crl); }
};
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

struct StoreCtxFree {
    void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};

struct StackFree {
    void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};

BioPtr memory_bio(const std::string& bytes) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    if (!bio)
        throw std::runtime_error("trust store: out of memory");
    return bio;
}

std::string position(const char* what, std::size_t index) {
    return std::string("trust store: configured ") + what + " #" + std::to_string(index + 1);
}

void add_anchors(X509_STORE* store, const std::string& pem, std::size_t index) {
    BioPtr bio = memory_bio(pem);
    int added = 0;
    while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
        if (X509_STORE_add_cert(store, cert.get()) != 1)
            throw std::runtime_error(position("trust anchor", index) + " cannot be added");
        ++added;
    }
    const unsigned long err = ERR_peek_last_error();
    ERR_clear_error();
    // The loop ends with "no start line" at the end of the input; anything else is damage.
    if (added == 0 || (err != 0 && ERR_GET_REASON(err) != PEM_R_NO_START_LINE))
        throw std::runtime_error(position("trust anchor", index) + " is not PEM certificates");
}

int add_pem_crls(X509_STORE* store, const std::string& pem) {
    BioPtr bio = memory_bio(pem);
    int added = 0;
    while (CrlPtr crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)}) {
        if (X509_STORE_add_crl(store, crl.get()) != 1)
            return -1;
        ++added;
    }
    const unsigned long err = ERR_peek_last_error();
    ERR_clear_error();
    return err != 0 && ERR_GET_REASON(err) != PEM_R_NO_START_LINE ? -1 : added;
}

void add_crls(X509_STORE* store, const std::string& bytes, std::size_t index) {
    int added = 0;
    if (bytes.find("-----BEGIN") != std::string::npos) {
        added = add_pem_crls(store, bytes);
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
        const bool whole =
            crl && p == reinterpret_cast<const unsigned char*>(bytes.data()) + bytes.size();
        added = whole && X509_STORE_add_crl(store, crl.get()) == 1 ? 1 : -1;
        ERR_clear_error();
    }
    if (added <= 0)
        throw std::runtime_error(position("CRL", index) + " is not a PEM or DER CRL");
}

// What one OpenSSL verification error means for the verdict; empty: not a finding.
std::string_view code_of(int error) {
    switch (error) {
        case X509_V_ERR_CERT_NOT_YET_VALID:
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return code::sig_expired;
        case X509_V_ERR_CERT_REVOKED:
            return code::sig_revoked;
        case X509_V_ERR_EE_KEY_TOO_SMALL:
        case X509_V_ERR_CA_KEY_TOO_SMALL:
        case X509_V_ERR_CA_MD_TOO_WEAK:
            return code::sig_weak;
        case X509_V_ERR_UNABLE_TO_GET_CRL:
            return {};  // no CRL configured for this issuer: see TrustStore::check
        default:
            return code::sig_untrusted;
    }
}

std::string detail_of(int error) {
    switch (error) {
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "a certificate of the signer's chain is not yet valid at inspection time";
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "a certificate of the signer's chain has expired at inspection time";
        case X509_V_ERR_CERT_REVOKED:
            return "a certificate of the signer's chain is revoked by a configured CRL";
        case X509_V_ERR_EE_KEY_TOO_SMALL:
        case X509_V_ERR_CA_KEY_TOO_SMALL:
        case X509_V_ERR_CA_MD_TOO_WEAK:
            return "the signer's chain uses a key or hash below the required strength";
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
            return "revocation status unknown: a configured CRL is stale, not yet valid or "
                   "not verifiable";
        default:
            // The OpenSSL error text is fixed library wording, never certificate content.
            return std::string("the signer does not chain to a configured trust anchor (") +
                   X509_verify_cert_error_string(error) + ")";
    }
}

// Every error of the chain is recorded and verification goes on, so that one package gets
// all its findings (expired and revoked, say), not only the first.
struct Findings {
    std::set<int> errors;
};

int g_findings_index = -1;

int record_error(int ok, X509_STORE_CTX* ctx) {
    if (ok == 1)
        return 1;
    auto* findings = static_cast<Findings*>(X509_STORE_CTX_get_ex_data(ctx, g_findings_index));
    if (findings == nullptr)
        return 0;
    findings->errors.insert(X509_STORE_CTX_get_error(ctx));
    return 1;
}

void check_key_usage(X509* signer, const std::string& where, Verdict& verdict) {
    const bool has_usage = (X509_get_extension_flags(signer) & EXFLAG_KUSAGE) != 0;
    const bool signing =
        (X509_get_key_usage(signer) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
    if (!has_usage || !signing)
        verdict.add(code::sig_untrusted, where,
                    "signer certificate lacks the digitalSignature or nonRepudiation key usage");
}

}  // namespace

TrustStore::TrustStore(const std::vector<std::string>& anchors_pem,
                       const std::vector<std::string>& crls)
    : store_(X509_STORE_new()) {
    if (store_ == nullptr)
        throw std::runtime_error("trust store: out of memory");
    try {
        for (std::size_t i = 0; i < anchors_pem.size(); ++i)
            add_anchors(store_, anchors_pem[i], i);
        for (std::size_t i = 0; i < crls.size(); ++i)
            add_crls(store_, crls[i], i);
    } catch (...) {
        X509_STORE_free(store_);
        throw;
    }
    has_crls_ = !crls.empty();
}

std::shared_ptr<const TrustStore> TrustStore::shared(const std::vector<std::string>& anchors_pem,
                                                     const std::vector<std::string>& crls) {
    struct Cache {
        std::mutex mutex;
        std::vector<std::string> anchors;
        std::vector<std::string> crls;
        std::shared_ptr<const TrustStore> store;
    };
    static Cache cache;
    std::lock_guard lock(cache.mutex);
    if (!cache.store || cache.anchors != anchors_pem || cache.crls != crls) {
        // Built before the cache is touched: a configuration that does not parse throws
        // and leaves the previous store in place for the requests that still match it.
        auto store = std::make_shared<const TrustStore>(anchors_pem, crls);
        cache.anchors = anchors_pem;
        cache.crls = crls;
        cache.store = std::move(store);
    }
    return cache.store;
}

TrustStore::~TrustStore() {
    X509_STORE_free(store_);
}

void TrustStore::check(X509* signer, const std::vector<X509*>& intermediates, std::time_t now,
                       const std::string& where, Verdict& verdict) const {
    if (g_findings_index < 0)
        g_findings_index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    std::unique_ptr<STACK_OF(X509), StackFree> chain(sk_X509_new_null());
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (!chain || !ctx || g_findings_index < 0)
        throw std::runtime_error("trust store: out of memory");
    for (X509* cert : intermediates) {
        if (sk_X509_push(chain.get(), cert) <= 0)
            throw std::runtime_error("trust store: out of memory");
    }
    if (X509_STORE_CTX_init(ctx.get(), store_, signer, chain.get()) != 1)
        throw std::runtime_error("trust store: cannot initialise a verification");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, now);
    // Level 2: RSA and DH at least 2048 bits, EC at least 224, no SHA-1 signatures.
    X509_VERIFY_PARAM_set_auth_level(param, 2);
    unsigned long flags = X509_V_FLAG_X509_STRICT;
    if (has_crls_)
        flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    X509_VERIFY_PARAM_set_flags(param, flags);
    Findings findings;
    X509_STORE_CTX_set_ex_data(ctx.get(), g_findings_index, &findings);
    X509_STORE_CTX_set_verify_cb(ctx.get(), record_error);
    const int result = X509_verify_cert(ctx.get());
    if (result != 1 && findings.errors.empty())
        findings.errors.insert(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    for (const int error : findings.errors) {
        const std::string_view c = code_of(error);
        if (!c.empty())
            verdict.add(c, where, detail_of(error));
    }
    check_key_usage(signer, where, verdict);
}

bool check_signer_key(EVP_PKEY* key, const std::string& where, Verdict& verdict) {
    // A certificate whose key OpenSSL cannot decode has no key at all (found by fuzzing).
    if (key == nullptr) {
        ERR_clear_error();
        verdict.add(code::sig_untrusted, where, "signer certificate carries no usable public key");
        return false;
    }
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA:
            if (EVP_PKEY_get_bits(key) >= 2048)
                return true;
            verdict.add(code::sig_weak, where, "signer RSA key shorter than 2048 bits");
            return false;
        case EVP_PKEY_EC: {
            char group[64] = {};
            std::size_t len = 0;
            if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
                std::string_view(group, len) == SN_X9_62_prime256v1)
                return true;
            ERR_clear_error();
            verdict.add(code::sig_weak, where, "signer EC key not on curve P-256");
            return false;
        }
        default:
            verdict.add(code::sig_weak, where, "signer key neither RSA nor EC P-256");
            return false;
    }
}

}  // namespace sekisho::inspect

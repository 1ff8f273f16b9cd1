#include "daemon/inspect/signature.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/signature_profile.hpp"
#include "daemon/inspect/signature_xmlsec.hpp"
#include "daemon/inspect/trust_store.hpp"

namespace sekisho::inspect {
namespace {

const std::string kCertPath = std::string(kSignaturePath) + "/ds:KeyInfo/ds:X509Data";

std::string cert_position(std::size_t index) {
    return kCertPath + "/ds:X509Certificate[" + std::to_string(index + 1) + "]";
}

constexpr std::size_t kParsedCerts = 256;

struct ParsedCerts {
    std::mutex mutex;
    std::unordered_map<std::string, X509Ptr> certs;  // by DER bytes
};
ParsedCerts g_parsed;

struct Certificates {
    std::vector<X509Ptr> all;
    std::size_t signer = 0;  // index into all
    bool found = false;
};

// A certificate parsed before, or nullptr. Filers sign many packages with one certificate,
// and OpenSSL 3 spends most of a d2i_X509 on decoding the public key: a package reuses the
// parse of the same DER bytes (never a verdict: chain, validity and revocation are checked
// again for every package).
X509Ptr parsed_before(const std::string& der) {
    std::lock_guard lock(g_parsed.mutex);
    const auto found = g_parsed.certs.find(der);
    if (found == g_parsed.certs.end() || X509_up_ref(found->second.get()) != 1)
        return nullptr;
    return X509Ptr(found->second.get());
}

void remember_parse(const std::string& der, X509* cert) {
    std::lock_guard lock(g_parsed.mutex);
    if (g_parsed.certs.size() >= kParsedCerts)
        g_parsed.certs.clear();
    if (X509_up_ref(cert) == 1)
        g_parsed.certs.emplace(der, X509Ptr(cert));
}

X509Ptr parse_der(const std::string& der) {
    if (X509Ptr cert = parsed_before(der))
        return cert;
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
        ERR_clear_error();
        return nullptr;
    }
    remember_parse(der, cert.get());
    return cert;
}

// The signer is the one certificate of X509Data that issued none of the others; the rest
// are intermediates offered for the chain. Anything else leaves no signer.
Certificates read_certificates(xmlNode* signature, Verdict& verdict) {
    Certificates out;
    const auto ders = key_info_certificates(signature, verdict);
    for (std::size_t i = 0; i < ders.size(); ++i) {
        X509Ptr cert = parse_der(ders[i]);
        if (!cert) {
            verdict.add(code::sig_untrusted, cert_position(i), "X509Certificate is not DER");
            return {};
        }
        out.all.push_back(std::move(cert));
    }
    std::vector<std::size_t> leaves;
    for (std::size_t i = 0; i < out.all.size(); ++i) {
        bool issues_another = false;
        for (std::size_t j = 0; j < out.all.size(); ++j) {
            if (i != j && X509_check_issued(out.all[i].get(), out.all[j].get()) == X509_V_OK)
                issues_another = true;
        }
        if (!issues_another)
            leaves.push_back(i);
    }
    if (leaves.size() != 1) {
        verdict.add(code::sig_untrusted, kCertPath,
                    out.all.empty() ? "no signer certificate in KeyInfo/X509Data"
                                    : "X509Data does not carry exactly one signer certificate");
        return {};
    }
    out.signer = leaves.front();
    out.found = true;
    return out;
}

// Chain, validity, revocation and key usage; returns whether the signer's key is strong
// enough to verify with.
bool check_signer(const Certificates& certs, const Options& options, Verdict& verdict) {
    X509* signer = certs.all[certs.signer].get();
    const std::string where = cert_position(certs.signer);
    const bool key_ok = check_signer_key(X509_get0_pubkey(signer), where, verdict);
    std::vector<X509*> intermediates;
    for (std::size_t i = 0; i < certs.all.size(); ++i) {
        if (i != certs.signer)
            intermediates.push_back(certs.all[i].get());
    }
    const std::time_t now = options.now != 0 ? options.now : std::time(nullptr);
    const auto store = TrustStore::shared(options.trust_anchors, options.crls);
    store->check(signer, intermediates, now, where, verdict);
    return key_ok;
}

}  // namespace

void init_signature_library() {
    init_xmlsec_once();
}

void check_signature(xmlDoc* kousei, const Package& package, const Options& options,
                     Verdict& verdict) {
    const auto signatures = find_signatures(kousei);
    if (signatures.empty()) {
        if (options.auth_method == AuthMethod::certificate)
            verdict.add(code::sig_missing, "kousei.xml /DataRoot/署名情報",
                        "a certificate package needs a ds:Signature in 署名情報");
        return;
    }
    if (signatures.size() > 1) {
        verdict.add(code::sig_missing, "kousei.xml /DataRoot/署名情報",
                    "署名情報 must hold exactly one ds:Signature");
        return;
    }
    xmlNode* signature = signatures.front();
    const bool algorithms_ok = check_profile(signature, package, verdict);
    const Certificates certs = read_certificates(signature, verdict);
    if (!certs.found)
        return;  // nothing to verify with
    const bool key_ok = check_signer(certs, options, verdict);
    // Weak or unknown algorithms and weak keys are refused, never run.
    if (algorithms_ok && key_ok && register_kousei_id(kousei, verdict))
        verify_with_xmlsec(signature, X509_get0_pubkey(certs.all[certs.signer].get()), package,
                           verdict);
}

}  // namespace sekisho::inspect

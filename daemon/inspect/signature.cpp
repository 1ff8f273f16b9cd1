#include "daemon/inspect/signature.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
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

struct Certificates {
    std::vector<X509Ptr> all;
    std::size_t signer = 0;  // index into all
    bool found = false;
};

// The signer is the one certificate of X509Data that issued none of the others; the rest
// are intermediates offered for the chain. Anything else leaves no signer.
Certificates read_certificates(xmlNode* signature, Verdict& verdict) {
    Certificates out;
    const auto ders = key_info_certificates(signature, verdict);
    for (std::size_t i = 0; i < ders.size(); ++i) {
        const auto* p = reinterpret_cast<const unsigned char*>(ders[i].data());
        X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(ders[i].size())));
        if (!cert || p != reinterpret_cast<const unsigned char*>(ders[i].data()) + ders[i].size()) {
            ERR_clear_error();
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
    const TrustStore store(options.trust_anchors, options.crls);
    store.check(signer, intermediates, now, where, verdict);
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

#include "daemon/inspect/signature_profile.hpp"

#include <xmlsec/base64.h>

#include <map>
#include <string_view>

#include "daemon/inspect/entry_names.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/xml_tree.hpp"

namespace sekisho::inspect {
namespace {

constexpr std::string_view kC14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
constexpr std::string_view kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
constexpr std::string_view kEcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
constexpr std::string_view kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
constexpr std::string_view kKouseiUri = "#%E6%A7%8B%E6%88%90%E6%83%85%E5%A0%B1";
constexpr std::string_view kKouseiName = "kousei.xml";

std::string_view sv(const xmlChar* s) {
    return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

std::vector<xmlNode*> ds_children(xmlNode* parent, std::string_view name) {
    return child_elements(parent, name, kDsigNs);
}

xmlNode* ds_child(xmlNode* parent, std::string_view name) {
    return child_element(parent, name, kDsigNs);
}

// An attribute's value; absent and empty are the same to the profile.
std::string attribute(xmlNode* n, const char* name) {
    xmlChar* value =
        n == nullptr ? nullptr : xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name));
    std::string out(sv(value));
    xmlFree(value);
    return out;
}

std::string algorithm(xmlNode* n) {
    return attribute(n, "Algorithm");
}

std::string text(xmlNode* n) {
    xmlChar* content = xmlNodeGetContent(n);
    std::string out(sv(content));
    xmlFree(content);
    return out;
}

const std::string kSignedInfo = std::string(kSignaturePath) + "/ds:SignedInfo";

bool check_signed_info_methods(xmlNode* signed_info, Verdict& verdict) {
    bool ok = true;
    if (algorithm(ds_child(signed_info, "CanonicalizationMethod")) != kC14n) {
        verdict.add(code::sig_weak, kSignedInfo + "/ds:CanonicalizationMethod",
                    "CanonicalizationMethod must be C14N 1.0 (REC-xml-c14n-20010315)");
        ok = false;
    }
    const std::string method = algorithm(ds_child(signed_info, "SignatureMethod"));
    if (method != kRsaSha256 && method != kEcdsaSha256) {
        verdict.add(code::sig_weak, kSignedInfo + "/ds:SignatureMethod",
                    "SignatureMethod must be rsa-sha256 or ecdsa-sha256");
        ok = false;
    }
    return ok;
}

struct Coverage {
    int kousei = 0;
    std::map<std::string, int> files;  // every entry but kousei.xml -> References to it
};

// Checks one Reference's transforms and digest; returns false when an algorithm is not
// allowed. `same_document` References need exactly the C14N transform, file ones none.
bool check_reference_algorithms(xmlNode* ref, bool same_document, const std::string& where,
                                Verdict& verdict) {
    bool ok = true;
    if (algorithm(ds_child(ref, "DigestMethod")) != kSha256) {
        verdict.add(code::sig_weak, where + "/ds:DigestMethod", "DigestMethod must be sha256");
        ok = false;
    }
    const auto transforms_nodes = ds_children(ref, "Transforms");
    std::vector<xmlNode*> transforms;
    for (xmlNode* t : transforms_nodes) {
        for (xmlNode* each : ds_children(t, "Transform"))
            transforms.push_back(each);
    }
    const bool c14n_only = transforms_nodes.size() == 1 && transforms.size() == 1 &&
                           algorithm(transforms.front()) == kC14n;
    if (same_document && !c14n_only) {
        verdict.add(code::sig_weak, where + "/ds:Transforms",
                    "the 構成情報 Reference must have exactly the C14N 1.0 transform");
        ok = false;
    } else if (!same_document && !transforms_nodes.empty()) {
        verdict.add(code::sig_weak, where + "/ds:Transforms",
                    "a file Reference must not have transforms");
        ok = false;
    }
    return ok;
}

bool check_references(xmlNode* signed_info, const Package& package, Verdict& verdict) {
    Coverage coverage;
    for (const Entry& e : package.entries) {
        if (e.name != kKouseiName)
            coverage.files[e.name] = 0;
    }
    bool ok = true;
    const auto refs = ds_children(signed_info, "Reference");
    for (std::size_t i = 0; i < refs.size(); ++i) {
        const std::string where = kSignedInfo + "/ds:Reference[" + std::to_string(i + 1) + "]";
        const std::string uri = attribute(refs[i], "URI");
        const bool same_document = uri == kKouseiUri;
        const auto file = coverage.files.find(uri);
        if (same_document) {
            ++coverage.kousei;
        } else if (file != coverage.files.end()) {
            ++file->second;
        } else {
            verdict.add(code::sig_uncovered, where,
                        "Reference URI is neither #構成情報 nor a file of the folder");
        }
        ok = check_reference_algorithms(refs[i], same_document, where, verdict) && ok;
    }
    if (coverage.kousei != 1)
        verdict.add(code::sig_uncovered, kSignedInfo,
                    "構成情報 must be covered by exactly one Reference");
    for (const auto& [name, count] : coverage.files) {
        // The position is the file, as in every verdict; the detail names only the rule.
        if (count != 1)
            verdict.add(code::sig_uncovered, file_label(name),
                        "file not covered by exactly one Reference of kousei.xml ds:Signature");
    }
    return ok;
}

}  // namespace

std::vector<xmlNode*> find_signatures(xmlDoc* kousei) {
    std::vector<xmlNode*> out;
    xmlNode* root = xmlDocGetRootElement(kousei);
    for (xmlNode* n = root == nullptr ? nullptr : root->children; n != nullptr; n = n->next) {
        if (!is_element(n, "署名情報"))
            continue;
        for (xmlNode* s : ds_children(n, "Signature"))
            out.push_back(s);
    }
    return out;
}

bool check_profile(xmlNode* signature, const Package& package, Verdict& verdict) {
    xmlNode* signed_info = ds_child(signature, "SignedInfo");
    if (signed_info == nullptr) {
        verdict.add(code::sig_invalid, kSignaturePath, "ds:Signature without ds:SignedInfo");
        return false;
    }
    if (ds_child(signature, "Object") != nullptr)
        verdict.add(code::sig_uncovered, std::string(kSignaturePath) + "/ds:Object",
                    "ds:Object is not part of the signature profile");
    const bool methods_ok = check_signed_info_methods(signed_info, verdict);
    const bool references_ok = check_references(signed_info, package, verdict);
    return methods_ok && references_ok;
}

std::vector<std::string> key_info_certificates(xmlNode* signature, Verdict& verdict) {
    const std::string where = std::string(kSignaturePath) + "/ds:KeyInfo/ds:X509Data";
    std::vector<std::string> out;
    for (xmlNode* data : ds_children(ds_child(signature, "KeyInfo"), "X509Data")) {
        for (xmlNode* cert : ds_children(data, "X509Certificate")) {
            if (out.size() == kMaxCertificates) {
                verdict.add(code::sig_untrusted, where, "too many certificates in X509Data");
                return {};
            }
            const std::string b64 = text(cert);
            std::string der(b64.size(), '\0');
            xmlSecSize written = 0;
            const int rc = xmlSecBase64Decode_ex(reinterpret_cast<const xmlChar*>(b64.c_str()),
                                                 reinterpret_cast<xmlSecByte*>(der.data()),
                                                 static_cast<xmlSecSize>(der.size()), &written);
            if (rc != 0 || written == 0) {
                verdict.add(code::sig_untrusted,
                            where + "/ds:X509Certificate[" + std::to_string(out.size() + 1) + "]",
                            "X509Certificate is not base64");
                return {};
            }
            der.resize(static_cast<std::size_t>(written));
            out.push_back(std::move(der));
        }
    }
    return out;
}

}  // namespace sekisho::inspect

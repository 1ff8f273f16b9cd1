#include "daemon/inspect/signature_xmlsec.hpp"

#include <libxml/valid.h>
#include <openssl/err.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/signature_profile.hpp"

namespace sekisho::inspect {
namespace {

constexpr std::string_view kKouseiId = "構成情報";
constexpr std::string_view kKouseiIdEncoded = "%E6%A7%8B%E6%88%90%E6%83%85%E5%A0%B1";

const xmlChar* xc(std::string_view s) {
    return reinterpret_cast<const xmlChar*>(s.data());
}

// --- file References: the package being verified, and nothing else -------------------------

// Set only while verify_with_xmlsec runs; xmlsec's IO callbacks are process-global.
const Package* g_serving = nullptr;

struct Reader {
    const std::string* bytes;
    std::size_t pos;
};

const Entry* served_entry(const char* uri) {
    if (g_serving == nullptr || uri == nullptr || std::string_view(uri) == "kousei.xml")
        return nullptr;
    return g_serving->find(uri);
}

int io_match(const char* uri) {
    return served_entry(uri) != nullptr ? 1 : 0;
}

void* io_open(const char* uri) {
    const Entry* e = served_entry(uri);
    return e == nullptr ? nullptr : new Reader{&e->bytes, 0};
}

int io_read(void* ctx, char* buf, int len) {
    auto* r = static_cast<Reader*>(ctx);
    if (len <= 0)
        return 0;
    const std::size_t n = std::min(static_cast<std::size_t>(len), r->bytes->size() - r->pos);
    std::memcpy(buf, r->bytes->data() + r->pos, n);
    r->pos += n;
    return static_cast<int>(n);
}

int io_close(void* ctx) {
    delete static_cast<Reader*>(ctx);
    return 0;
}

// Drops every IO handler xmlsec knows (its defaults open files, http and ftp) and installs
// only the package server. Done per verification too, so that nothing registered in
// between by other code of the process can widen what a Reference may reach.
void install_io_callbacks() {
    xmlSecIOCleanupCallbacks();
    if (xmlSecIORegisterCallbacks(io_match, io_open, io_read, io_close) != 0)
        throw std::runtime_error("signature: cannot register the package IO callbacks");
}

class Serving {
  public:
    explicit Serving(const Package& package) {
        install_io_callbacks();
        g_serving = &package;
    }
    ~Serving() { g_serving = nullptr; }
    Serving(const Serving&) = delete;
    Serving& operator=(const Serving&) = delete;
};

// xmlsec's messages may quote URIs and values of the package: never print them.
void silent_errors(const char*, int, const char*, const char*, const char*, int, const char*) {}

// --- the verification context ------------------------------------------------------------

struct CtxFree {
    void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};
using CtxPtr = std::unique_ptr<xmlSecDSigCtx, CtxFree>;

xmlSecKeyPtr make_key(EVP_PKEY* pkey) {
    if (EVP_PKEY_up_ref(pkey) != 1)
        throw std::runtime_error("signature: EVP_PKEY_up_ref failed");
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == nullptr) {
        EVP_PKEY_free(pkey);
        return nullptr;  // a key type xmlsec cannot verify with
    }
    xmlSecKeyPtr key = xmlSecKeyCreate();
    if (key == nullptr || xmlSecKeySetValue(key, data) != 0) {
        xmlSecKeyDataDestroy(data);
        if (key != nullptr)
            xmlSecKeyDestroy(key);
        throw std::runtime_error("signature: cannot build the verification key");
    }
    return key;
}

void enable(xmlSecPtrList* list, xmlSecTransformId id) {
    if (xmlSecPtrListAdd(list, const_cast<void*>(static_cast<const void*>(id))) != 0)
        throw std::runtime_error("signature: cannot restrict the transforms");
}

// Only the algorithms of the profile can run, whatever SignedInfo names (the profile check
// refuses others before this point; this is the second lock).
void restrict_context(xmlSecDSigCtx* ctx) {
    ctx->flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS | XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
    // "#…" and relative names; "file://" and empty URIs never.
    ctx->enabledReferenceUris = static_cast<xmlSecTransformUriType>(
        xmlSecTransformUriTypeSameDocument | xmlSecTransformUriTypeRemote);
    xmlSecPtrList* signed_info = &ctx->transformCtx.enabledTransforms;
    enable(signed_info, xmlSecTransformInclC14NId);
    enable(signed_info, xmlSecTransformRsaSha256Id);
    enable(signed_info, xmlSecTransformEcdsaSha256Id);
    enable(signed_info, xmlSecTransformSha256Id);
    // The context owns this list and destroys it with itself.
    ctx->enabledReferenceTransforms = xmlSecPtrListCreate(xmlSecTransformIdListId);
    if (ctx->enabledReferenceTransforms == nullptr)
        throw std::runtime_error("signature: cannot restrict the transforms");
    enable(ctx->enabledReferenceTransforms, xmlSecTransformInclC14NId);
    enable(ctx->enabledReferenceTransforms, xmlSecTransformSha256Id);
}

// Position of the first Reference that did not verify, or the SignatureValue.
std::string failed_position(xmlSecDSigCtx* ctx) {
    xmlSecPtrList* refs = &ctx->signedInfoReferences;
    const xmlSecSize n = xmlSecPtrListGetSize(refs);
    for (xmlSecSize i = 0; i < n; ++i) {
        auto* ref = static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(refs, i));
        if (ref != nullptr && ref->status != xmlSecDSigStatusSucceeded)
            return std::string(kSignaturePath) + "/ds:SignedInfo/ds:Reference[" +
                   std::to_string(i + 1) + "]";
    }
    return std::string(kSignaturePath) + "/ds:SignatureValue";
}

xmlNode* kousei_element(xmlDoc* doc, Verdict& verdict) {
    xmlNode* root = xmlDocGetRootElement(doc);
    xmlNode* found = nullptr;
    for (xmlNode* n = root == nullptr ? nullptr : root->children; n != nullptr; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || n->ns != nullptr ||
            std::string_view(reinterpret_cast<const char*>(n->name)) != kKouseiId)
            continue;
        if (found != nullptr) {
            verdict.add(code::sig_invalid, "kousei.xml /DataRoot/構成情報",
                        "more than one 構成情報: the signed element is ambiguous");
            return nullptr;
        }
        found = n;
    }
    if (found == nullptr)
        verdict.add(code::sig_invalid, "kousei.xml /DataRoot", "no 構成情報 to verify");
    return found;
}

bool add_id(xmlDoc* doc, std::string_view value, xmlAttr* attr, Verdict& verdict) {
    const std::string v(value);
    xmlAttr* existing = xmlGetID(doc, xc(v));
    if (existing == attr)
        return true;
    if (existing != nullptr || xmlAddID(nullptr, doc, xc(v), attr) == nullptr) {
        verdict.add(code::sig_invalid, "kousei.xml /DataRoot/構成情報",
                    "the ID of 構成情報 already names another element");
        return false;
    }
    return true;
}

}  // namespace

void init_xmlsec_once() {
    static bool done = false;
    if (done)
        return;
    xmlInitParser();
    if (xmlSecInit() < 0)
        throw std::runtime_error("signature: xmlSecInit failed");
    if (xmlSecCheckVersion() != 1)
        throw std::runtime_error("signature: xmlsec library version mismatch");
    if (xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0)
        throw std::runtime_error("signature: xmlsec OpenSSL backend initialisation failed");
    xmlSecErrorsSetCallback(silent_errors);
    install_io_callbacks();
    done = true;
}

bool register_kousei_id(xmlDoc* kousei, Verdict& verdict) {
    xmlNode* element = kousei_element(kousei, verdict);
    if (element == nullptr)
        return false;
    xmlAttr* attr = xmlHasNsProp(element, xc("ID"), nullptr);
    xmlChar* value = attr == nullptr ? nullptr : xmlNodeListGetString(kousei, attr->children, 1);
    const bool right_value =
        value != nullptr && std::string_view(reinterpret_cast<const char*>(value)) == kKouseiId;
    xmlFree(value);
    if (!right_value) {
        verdict.add(code::sig_invalid, "kousei.xml /DataRoot/構成情報",
                    "構成情報 does not carry ID=\"構成情報\"");
        return false;
    }
    return add_id(kousei, kKouseiId, attr, verdict) &&
           add_id(kousei, kKouseiIdEncoded, attr, verdict);
}

void verify_with_xmlsec(xmlNode* signature, EVP_PKEY* signer_key, const Package& package,
                        Verdict& verdict) {
    init_xmlsec_once();
    CtxPtr ctx(xmlSecDSigCtxCreate(nullptr));  // no keys manager: KeyInfo decides nothing
    if (!ctx)
        throw std::runtime_error("signature: xmlSecDSigCtxCreate failed");
    restrict_context(ctx.get());
    ctx->signKey = make_key(signer_key);  // owned by ctx
    if (ctx->signKey == nullptr) {
        verdict.add(code::sig_invalid, kSignaturePath, "the signer key cannot verify");
        return;
    }
    int result = -1;
    xmlSecErrorsSetCallback(silent_errors);  // again: other code may have reset it
    {
        const Serving serving(package);
        result = xmlSecDSigCtxVerify(ctx.get(), signature);
    }
    ERR_clear_error();
    if (result < 0 || ctx->status != xmlSecDSigStatusSucceeded)
        verdict.add(code::sig_invalid, failed_position(ctx.get()),
                    "a digest or the signature value does not verify");
}

}  // namespace sekisho::inspect

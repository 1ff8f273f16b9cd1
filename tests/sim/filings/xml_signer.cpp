#include "tests/sim/filings/xml_signer.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <xmlsec/crypto.h>
#include <xmlsec/io.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace sekisho::sim::filings {
namespace {

const xmlChar* xc(const char* s) {
    return reinterpret_cast<const xmlChar*>(s);
}
const xmlChar* xc(const std::string& s) {
    return xc(s.c_str());
}

void check(bool ok, const char* what) {
    if (!ok)
        throw std::runtime_error(std::string("xml signer: ") + what + " failed");
}

// --- file References, served from the package being signed ---------------------------------

const std::map<std::string, std::string>* g_files = nullptr;

struct Reader {
    const std::string* bytes;
    std::size_t pos;
};

int io_match(const char* uri) {
    return g_files != nullptr && g_files->count(uri) != 0 ? 1 : 0;
}

void* io_open(const char* uri) {
    const auto it = g_files->find(uri);
    return it == g_files->end() ? nullptr : new Reader{&it->second, 0};
}

int io_read(void* ctx, char* buf, int len) {
    auto* r = static_cast<Reader*>(ctx);
    const std::size_t n = std::min(static_cast<std::size_t>(len), r->bytes->size() - r->pos);
    std::memcpy(buf, r->bytes->data() + r->pos, n);
    r->pos += n;
    return static_cast<int>(n);
}

int io_close(void* ctx) {
    delete static_cast<Reader*>(ctx);
    return 0;
}

// Serves g_files while alive.
class ServedFiles {
  public:
    explicit ServedFiles(const std::map<std::string, std::string>& files) { g_files = &files; }
    ~ServedFiles() { g_files = nullptr; }
    ServedFiles(const ServedFiles&) = delete;
    ServedFiles& operator=(const ServedFiles&) = delete;
};

void init_once() {
    static const bool done = [] {
        xmlInitParser();
        check(xmlSecInit() == 0, "xmlSecInit");
        check(xmlSecCryptoAppInit(nullptr) == 0, "xmlSecCryptoAppInit");
        check(xmlSecCryptoInit() == 0, "xmlSecCryptoInit");
        // Only the package's own entries can be referenced: no file, http or ftp handlers.
        xmlSecIOCleanupCallbacks();
        check(xmlSecIORegisterCallbacks(io_match, io_open, io_read, io_close) == 0,
              "xmlSecIORegisterCallbacks");
        return true;
    }();
    (void)done;
}

// --- document and template -------------------------------------------------------------------

using DocPtr = std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)>;

xmlNodePtr child(xmlNodePtr parent, const char* name) {
    for (xmlNodePtr n = parent->children; n != nullptr; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, xc(name)))
            return n;
    }
    throw std::runtime_error(std::string("xml signer: no element ") + name);
}

// xmlsec looks the fragment up in the ID table without percent-decoding, so the element is
// registered under both forms (spec §3 implementation note).
void register_kousei_id(xmlDocPtr doc) {
    xmlNodePtr kousei = child(xmlDocGetRootElement(doc), "構成情報");
    xmlAttrPtr attr = xmlHasProp(kousei, xc("ID"));
    check(attr != nullptr, "ID attribute of 構成情報");
    check(xmlAddID(nullptr, doc, xc(std::string(kKouseiId)), attr) != nullptr, "xmlAddID raw");
    check(xmlAddID(nullptr, doc, xc(percent_encode(kKouseiId)), attr) != nullptr,
          "xmlAddID encoded");
}

xmlSecTransformId signature_method(const SignSpec& spec) {
    const bool ec = EVP_PKEY_get_base_id(spec.signer->key.get()) == EVP_PKEY_EC;
    if (ec)
        return spec.sha1_signature ? xmlSecTransformEcdsaSha1Id : xmlSecTransformEcdsaSha256Id;
    return spec.sha1_signature ? xmlSecTransformRsaSha1Id : xmlSecTransformRsaSha256Id;
}

xmlNodePtr add_template(xmlDocPtr doc, const SignSpec& spec) {
    xmlNodePtr sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformInclC14NId,
                                                     signature_method(spec), nullptr, xc("ds"));
    check(sig != nullptr, "signature template");
    xmlAddChild(child(xmlDocGetRootElement(doc), "署名情報"), sig);
    const xmlSecTransformId digest =
        spec.sha1_digest ? xmlSecTransformSha1Id : xmlSecTransformSha256Id;
    if (spec.reference_kousei) {
        const std::string uri = "#" + percent_encode(kKouseiId);
        xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, digest, nullptr, xc(uri), nullptr);
        check(ref != nullptr &&
                  xmlSecTmplReferenceAddTransform(ref, xmlSecTransformInclC14NId) != nullptr,
              "kousei reference");
    }
    for (const auto& name : spec.references) {
        check(xmlSecTmplSignatureAddReference(sig, digest, nullptr, xc(name), nullptr) != nullptr,
              "file reference");
    }
    xmlNodePtr x509 = xmlSecTmplKeyInfoAddX509Data(xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr));
    check(x509 != nullptr && xmlSecTmplX509DataAddCertificate(x509) != nullptr, "X509Data");
    return sig;
}

xmlSecKeyPtr load_key(const SignSpec& spec) {
    const std::string key_pem = spec.signer->key_pem();
    xmlSecKeyPtr key = xmlSecCryptoAppKeyLoadMemory(
        reinterpret_cast<const xmlSecByte*>(key_pem.data()),
        static_cast<xmlSecSize>(key_pem.size()), xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
    check(key != nullptr, "load signer key");
    std::vector<const Issued*> certs{spec.signer};
    certs.insert(certs.end(), spec.extra_certs.begin(), spec.extra_certs.end());
    for (const Issued* c : certs) {
        const std::string pem = c->cert_pem();
        if (xmlSecCryptoAppKeyCertLoadMemory(key, reinterpret_cast<const xmlSecByte*>(pem.data()),
                                             static_cast<xmlSecSize>(pem.size()),
                                             xmlSecKeyDataFormatPem) != 0) {
            xmlSecKeyDestroy(key);
            check(false, "load certificate");
        }
    }
    return key;
}

std::string serialize(xmlDocPtr doc) {
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    check(mem != nullptr, "serialize");
    std::string out(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size));
    xmlFree(mem);
    return out;
}

}  // namespace

std::string percent_encode(std::string_view utf8) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80 && c != '%') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

std::string sign_kousei(std::string_view kousei_xml,
                        const std::map<std::string, std::string>& files, const SignSpec& spec) {
    init_once();
    DocPtr doc(xmlReadMemory(kousei_xml.data(), static_cast<int>(kousei_xml.size()), "kousei.xml",
                             "UTF-8", XML_PARSE_NONET),
               xmlFreeDoc);
    check(doc != nullptr, "parse kousei.xml");
    register_kousei_id(doc.get());
    xmlNodePtr sig = add_template(doc.get(), spec);
    std::unique_ptr<xmlSecDSigCtx, void (*)(xmlSecDSigCtxPtr)> ctx(xmlSecDSigCtxCreate(nullptr),
                                                                   xmlSecDSigCtxDestroy);
    check(ctx != nullptr, "xmlSecDSigCtxCreate");
    ctx->signKey = load_key(spec);                          // owned by ctx from here on
    ctx->enabledReferenceUris = xmlSecTransformUriTypeAny;  // IO callbacks limit what resolves
    const ServedFiles served(files);
    check(xmlSecDSigCtxSign(ctx.get(), sig) == 0, "xmlSecDSigCtxSign");
    return serialize(doc.get());
}

}  // namespace sekisho::sim::filings

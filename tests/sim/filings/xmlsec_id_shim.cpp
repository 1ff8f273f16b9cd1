// LD_PRELOAD shim for tests that run the xmlsec1 command line tool on generated packages.
//
// Spec §3 references 構成情報 as URI="#%E6%A7%8B%E6%88%90%E6%83%85%E5%A0%B1"; xmlsec looks the
// fragment up in the ID table without percent-decoding it, so a verifier must register the
// element under both its raw and its percent-encoded ID (the spec's implementation note).
// The inspector does that with xmlAddID; xmlsec1's --id-attr registers only the raw value.
// This shim wraps xmlAddID so that every non-ASCII ID is also registered percent-encoded,
// which lets the unmodified xmlsec1 verify the packages exactly as signed. Test use only.

#include <dlfcn.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include <cstring>
#include <string>

namespace {

using AddId = xmlIDPtr (*)(xmlValidCtxtPtr, xmlDocPtr, const xmlChar*, xmlAttrPtr);

AddId real_add_id() {
    static const AddId fn = [] {
        void* sym = dlsym(RTLD_NEXT, "xmlAddID");
        AddId out = nullptr;
        std::memcpy(&out, &sym, sizeof out);
        return out;
    }();
    return fn;
}

std::string percent_encode(const char* utf8) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char* p = utf8; *p != '\0'; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c < 0x80 && c != '%') {
            out += *p;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

}  // namespace

extern "C" xmlIDPtr xmlAddID(xmlValidCtxtPtr ctxt, xmlDocPtr doc, const xmlChar* value,
                             xmlAttrPtr attr) {
    xmlIDPtr id = real_add_id()(ctxt, doc, value, attr);
    if (id == nullptr || value == nullptr)
        return id;
    const std::string encoded = percent_encode(reinterpret_cast<const char*>(value));
    const auto* enc = reinterpret_cast<const xmlChar*>(encoded.c_str());
    if (!xmlStrEqual(enc, value) && xmlGetID(doc, enc) == nullptr)
        real_add_id()(ctxt, doc, enc, attr);
    return id;
}

#include "daemon/inspect/safe_xml.hpp"

#include <libxml/SAX2.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <memory>
#include <string>

#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect {
namespace {

// Why parsing was stopped by one of our callbacks; the first reason wins.
enum class Refusal { none, doctype, xinclude, processing_instruction, too_deep };

struct ParseState {
    Refusal refusal = Refusal::none;
    int refusal_line = 0;
    int depth = 0;
    int error_line = 0;  // first libxml2 error; its message may quote the document
    int error_code = 0;
};

ParseState& state_of(void* ctx) {
    return *static_cast<ParseState*>(static_cast<xmlParserCtxt*>(ctx)->_private);
}

void refuse(void* ctx, Refusal why) {
    auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
    ParseState& s = state_of(ctx);
    if (s.refusal == Refusal::none) {
        s.refusal = why;
        s.refusal_line = xmlSAX2GetLineNumber(ctx);
    }
    xmlStopParser(ctxt);
}

// Called at "<!DOCTYPE name ...", before any of the internal subset is parsed: stopping
// here means no entity or external DTD is ever declared, expanded or fetched.
void on_internal_subset(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    refuse(ctx, Refusal::doctype);
}

void on_external_subset(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    refuse(ctx, Refusal::doctype);
}

void on_entity_decl(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
    refuse(ctx, Refusal::doctype);
}

void on_processing_instruction(void* ctx, const xmlChar*, const xmlChar*) {
    refuse(ctx, Refusal::processing_instruction);
}

bool is_xinclude(const xmlChar* uri) {
    if (uri == nullptr)
        return false;
    const std::string_view u(reinterpret_cast<const char*>(uri));
    return u == "http://www.w3.org/2001/XInclude" || u == "http://www.w3.org/2003/XInclude";
}

void on_start_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                      const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
    ParseState& s = state_of(ctx);
    if (is_xinclude(uri))
        return refuse(ctx, Refusal::xinclude);
    if (++s.depth > kMaxXmlDepth)
        return refuse(ctx, Refusal::too_deep);
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
}

void on_end_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                    const xmlChar* uri) {
    --state_of(ctx).depth;
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

void on_structured_error(void* ctx, xmlError* error) {
    auto* s = static_cast<ParseState*>(ctx);
    if (s != nullptr && error != nullptr && s->error_code == 0 && error->level >= XML_ERR_ERROR) {
        s->error_code = error->code;
        s->error_line = error->line;
    }
}

void on_parser_error(void* ctx, xmlError* error) {
    auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
    on_structured_error(ctxt->_private, error);
}

// libxml2 reports some errors (encoding, I/O) through the thread's global handler rather
// than the parser's: route those to this parse too, and never to stderr.
class GlobalErrorsTo {
  public:
    explicit GlobalErrorsTo(ParseState& s)
        : saved_handler_(xmlStructuredError), saved_context_(xmlStructuredErrorContext) {
        xmlSetStructuredErrorFunc(&s, on_structured_error);
    }
    ~GlobalErrorsTo() { xmlSetStructuredErrorFunc(saved_context_, saved_handler_); }
    GlobalErrorsTo(const GlobalErrorsTo&) = delete;
    GlobalErrorsTo& operator=(const GlobalErrorsTo&) = delete;

  private:
    xmlStructuredErrorFunc saved_handler_;
    void* saved_context_;
};

struct CtxtFree {
    void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

void install_handlers(xmlSAXHandler& sax) {
    sax.internalSubset = on_internal_subset;
    sax.externalSubset = on_external_subset;
    sax.entityDecl = on_entity_decl;
    sax.processingInstruction = on_processing_instruction;
    sax.startElementNs = on_start_element;
    sax.endElementNs = on_end_element;
    sax.serror = on_parser_error;
    sax.error = nullptr;
    sax.warning = nullptr;
    sax.fatalError = nullptr;
}

std::string where(std::string_view file_name, int line) {
    std::string w(file_name);
    if (line > 0)
        w += ":" + std::to_string(line);
    return w;
}

void report_refusal(const ParseState& s, std::string_view file_name, Verdict& verdict) {
    const std::string w = where(file_name, s.refusal_line);
    switch (s.refusal) {
        case Refusal::doctype:
            verdict.add(code::xml_dtd, w, "DOCTYPE declaration (DTDs and entities not allowed)");
            break;
        case Refusal::xinclude:
            verdict.add(code::xml_dtd, w, "XInclude element");
            break;
        case Refusal::processing_instruction:
            verdict.add(code::xml_malformed, w, "processing instruction");
            break;
        case Refusal::too_deep:
            verdict.add(code::xml_malformed, w, "elements nested deeper than 32");
            break;
        case Refusal::none:
            break;
    }
}

bool declared_utf8(const xmlDoc& doc) {
    if (doc.encoding == nullptr)
        return true;  // no declaration: UTF-8 by default
    std::string e(reinterpret_cast<const char*>(doc.encoding));
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::toupper(c); });
    return e == "UTF-8" || e == "UTF8";
}

}  // namespace

XmlDoc parse_untrusted_xml(std::string_view bytes, std::string_view file_name, Verdict& verdict) {
    // UTF-16 and UTF-32 documents hold NUL bytes; UTF-8 ones never do.
    if (bytes.find('\0') != std::string_view::npos) {
        verdict.add(code::xml_malformed, std::string(file_name), "NUL byte: not UTF-8 XML");
        return nullptr;
    }
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        verdict.add(code::xml_malformed, std::string(file_name), "document too large");
        return nullptr;
    }
    std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
    if (!ctxt)
        throw std::bad_alloc();
    ParseState state;
    ctxt->_private = &state;
    install_handlers(*ctxt->sax);
    const GlobalErrorsTo errors(state);
    // No NOENT, DTDLOAD, DTDATTR, DTDVALID or XINCLUDE: entities stay unexpanded and
    // nothing is loaded; NONET is a second fence.
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    XmlDoc doc(xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()),
                                 "package.xml", nullptr, options));
    if (state.refusal != Refusal::none) {
        report_refusal(state, file_name, verdict);
        return nullptr;
    }
    if (!doc || ctxt->wellFormed == 0 || state.error_code != 0) {
        verdict.add(
            code::xml_malformed, where(file_name, state.error_line),
            "not well-formed UTF-8 XML (parser error " + std::to_string(state.error_code) + ")");
        return nullptr;
    }
    if (!declared_utf8(*doc)) {
        verdict.add(code::xml_malformed, where(file_name, 1), "encoding declared other than UTF-8");
        return nullptr;
    }
    return doc;
}

}  // namespace sekisho::inspect

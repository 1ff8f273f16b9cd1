#include "daemon/inspect/xml_schema.hpp"

#include <libxml/xmlschemas.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/schema_data.hpp"

namespace sekisho::inspect {
namespace {

struct SchemaFree {
    void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
struct ParserCtxtFree {
    void operator()(xmlSchemaParserCtxt* c) const { xmlSchemaFreeParserCtxt(c); }
};
struct ValidCtxtFree {
    void operator()(xmlSchemaValidCtxt* c) const { xmlSchemaFreeValidCtxt(c); }
};
using SchemaPtr = std::unique_ptr<xmlSchema, SchemaFree>;

void ignore_error(void*, xmlError*) {}

// The embedded XSDs are ours: failing to compile one is a build defect, not a verdict.
SchemaPtr compile(std::string_view xsd, const char* name) {
    std::unique_ptr<xmlSchemaParserCtxt, ParserCtxtFree> pctxt(
        xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size())));
    if (!pctxt)
        throw std::logic_error(std::string("cannot read embedded schema ") + name);
    xmlSchemaSetParserStructuredErrors(pctxt.get(), ignore_error, nullptr);
    SchemaPtr schema(xmlSchemaParse(pctxt.get()));
    if (!schema)
        throw std::logic_error(std::string("cannot compile embedded schema ") + name);
    return schema;
}

xmlSchema* schema_for(Schema which) {
    static const SchemaPtr kousei = compile(schema_data::kousei_xsd(), "kousei.xsd");
    static const SchemaPtr shinseisho = compile(schema_data::shinseisho_xsd(), "shinseisho.xsd");
    return which == Schema::kousei ? kousei.get() : shinseisho.get();
}

struct Collector {
    std::string file_name;
    Verdict* verdict = nullptr;
    bool failed = false;
};

// The validator's message quotes element names and values from the document: only the
// line and the error number go into the verdict.
void collect(void* ctx, xmlError* error) {
    auto* c = static_cast<Collector*>(ctx);
    if (error == nullptr || error->level < XML_ERR_ERROR)
        return;
    c->failed = true;
    std::string where = c->file_name;
    if (error->line > 0)
        where += ":" + std::to_string(error->line);
    c->verdict->add(
        code::xml_schema, std::move(where),
        "not valid per the schema (validity error " + std::to_string(error->code) + ")");
}

}  // namespace

void load_schemas() {
    schema_for(Schema::kousei);
    schema_for(Schema::shinseisho);
}

bool validate_schema(xmlDoc* doc, Schema schema, std::string_view file_name, Verdict& verdict) {
    std::unique_ptr<xmlSchemaValidCtxt, ValidCtxtFree> vctxt(
        xmlSchemaNewValidCtxt(schema_for(schema)));
    if (!vctxt)
        throw std::bad_alloc();
    Collector c{std::string(file_name), &verdict};
    xmlSchemaSetValidStructuredErrors(vctxt.get(), collect, &c);
    const int rc = xmlSchemaValidateDoc(vctxt.get(), doc);
    if (rc != 0 && !c.failed)
        verdict.add(code::xml_schema, std::string(file_name), "not valid per the schema");
    return rc == 0;
}

}  // namespace sekisho::inspect

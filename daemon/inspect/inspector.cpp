#include "daemon/inspect/inspector.hpp"

#include <regex>

#include "daemon/inspect/content_types.hpp"
#include "daemon/inspect/csv_file.hpp"
#include "daemon/inspect/entry_names.hpp"
#include "daemon/inspect/form_xml.hpp"
#include "daemon/inspect/kousei.hpp"
#include "daemon/inspect/mynumber.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/safe_xml.hpp"
#include "daemon/inspect/signature.hpp"
#include "daemon/inspect/zip_container.hpp"

namespace sekisho::inspect {
namespace {

constexpr const char* kStrayNumber =
    "12-digit number with a valid 個人番号 check digit in free text";

// The one 申請書XML of the folder, or null when there is not exactly one (check_structure
// reports that).
const Entry* form_entry(const Package& package) {
    static const std::regex pattern("[0-9]{18}_01\\.xml");
    const Entry* found = nullptr;
    for (const auto& e : package.entries) {
        if (std::regex_match(e.name, pattern)) {
            if (found != nullptr)
                return nullptr;
            found = &e;
        }
    }
    return found;
}

// Text nodes and attribute values one by one, so that digits of neighbouring nodes never
// join into one number; character references are already resolved here.
bool tree_holds_mynumber(xmlNode* node) {
    for (xmlNode* n = node; n != nullptr; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
            n->content != nullptr &&
            contains_mynumber(reinterpret_cast<const char*>(n->content), TextEncoding::utf8))
            return true;
        if (n->type == XML_ELEMENT_NODE) {
            for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
                if (tree_holds_mynumber(a->children))
                    return true;
            }
            if (tree_holds_mynumber(n->children))
                return true;
        }
    }
    return false;
}

void check_stray_mynumbers(const Package& package, const Entry* form, xmlDoc* form_doc,
                           Verdict& verdict) {
    if (form != nullptr && form_doc != nullptr && tree_holds_mynumber(form_doc->children))
        verdict.add(code::mynumber_not_allowed, file_label(form->name), kStrayNumber);
    for (const auto& e : package.entries) {
        if (e.name.ends_with(".txt") && contains_mynumber(e.bytes, TextEncoding::cp932))
            verdict.add(code::mynumber_not_allowed, file_label(e.name), kStrayNumber);
    }
}

void check_counts(const FormXml& form, const CsvSummary& csv, const std::string& form_name,
                  Verdict& verdict) {
    if (form.counts != csv.counts)
        verdict.add(code::csv_count, file_label(form_name) + " /DataRoot/届書総括票/届書件数",
                    "届書件数 disagrees with the records of KPFD0006.CSV");
}

XmlDoc parse_entry(const Entry* entry, Verdict& verdict) {
    return entry == nullptr ? nullptr
                            : parse_untrusted_xml(entry->bytes, file_label(entry->name), verdict);
}

}  // namespace

Inspection inspect_package(std::string_view zip, const Options& options) {
    Inspection out;
    Verdict& verdict = out.verdict;
    auto package = read_container(zip, options.limits, verdict);
    if (!package)
        return out;
    check_content_types(*package, verdict);

    const XmlDoc kousei_doc = parse_entry(package->find("kousei.xml"), verdict);
    const auto kousei = kousei_doc ? read_kousei(kousei_doc.get(), verdict) : std::nullopt;
    check_structure(*package, kousei, verdict);

    const Entry* form = form_entry(*package);
    const XmlDoc form_doc = parse_entry(form, verdict);
    const auto form_xml =
        form_doc ? read_form_xml(form_doc.get(), form->name, verdict) : std::nullopt;

    if (kousei_doc)
        check_signature(kousei_doc.get(), *package, options, verdict);

    if (const Entry* csv = package->find("KPFD0006.CSV")) {
        const CsvSummary summary = check_csv(csv->bytes, options, verdict);
        if (form_xml && summary.readable)
            check_counts(*form_xml, summary, form->name, verdict);
    }
    check_stray_mynumbers(*package, form, form_doc.get(), verdict);
    if (form_xml) {
        for (const auto& [code, n] : form_xml->counts)
            out.forms.push_back(code);
    }
    out.entries = std::move(package->entries);
    return out;
}

}  // namespace sekisho::inspect

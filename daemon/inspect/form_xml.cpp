#include "daemon/inspect/form_xml.hpp"

#include <charconv>

#include "daemon/inspect/entry_names.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/xml_schema.hpp"
#include "daemon/inspect/xml_tree.hpp"

namespace sekisho::inspect {
namespace {

constexpr std::size_t kFormIdLength = 18;

// The schema allows [1-9][0-9]{0,5}, so the conversion cannot fail on a valid document.
long to_count(const std::string& text) {
    long n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n;
}

}  // namespace

std::optional<FormXml> read_form_xml(xmlDoc* doc, std::string_view file_name, Verdict& verdict) {
    if (!validate_schema(doc, Schema::shinseisho, file_label(file_name), verdict))
        return std::nullopt;
    xmlNode* root = xmlDocGetRootElement(doc);
    FormXml form;
    form.form_id = element_text(child_element(root, "様式ID"));
    if (form.form_id != file_name.substr(0, kFormIdLength))
        verdict.add(code::xml_schema, file_label(file_name) + " /DataRoot/様式ID",
                    "様式ID differs from the form_id of the file name");
    for (xmlNode* n : child_elements(child_element(root, "届書総括票"), "届書件数"))
        form.counts[attribute(n, "様式コード")] = to_count(element_text(n));
    return form;
}

}  // namespace sekisho::inspect

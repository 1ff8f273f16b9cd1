#pragma once
// The 申請書XML (届書総括票, spec §2).

#include <libxml/tree.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

struct FormXml {
    std::string form_id;
    std::map<std::string, long> counts;  // 届書件数 by 様式コード
};

// Validates against the schema; adds E-XML-SCHEMA.
std::optional<FormXml> read_form_xml(xmlDoc* doc, std::string_view file_name, Verdict& verdict);

}  // namespace sekisho::inspect

#pragma once
// Parsing of untrusted XML (spec §2): UTF-8 only, no DOCTYPE (so no DTD and no entities),
// no XInclude, no processing instructions but the declaration, depth ≤ 32, never network.

#include <libxml/tree.h>

#include <memory>
#include <string_view>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

struct XmlDocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

inline constexpr int kMaxXmlDepth = 32;

// Adds E-XML-MALFORMED or E-XML-DTD (where = file name, with the line when known) and
// returns null when the document must not be looked at further.
XmlDoc parse_untrusted_xml(std::string_view bytes, std::string_view file_name, Verdict& verdict);

}  // namespace sekisho::inspect

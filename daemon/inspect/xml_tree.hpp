#pragma once
// Reading a schema-valid document: child elements by (fixed, schema) name, and text.

#include <libxml/tree.h>

#include <string>
#include <string_view>
#include <vector>

namespace sekisho::inspect {

std::vector<xmlNode*> child_elements(xmlNode* parent, std::string_view name);
// The first child element of that name, or null.
xmlNode* child_element(xmlNode* parent, std::string_view name);
// The element's text content ("" for null).
std::string element_text(xmlNode* element);
// The value of an attribute without namespace ("" when absent).
std::string attribute(xmlNode* element, std::string_view name);

}  // namespace sekisho::inspect

#pragma once
// Reading a schema-valid document: child elements by (fixed, schema) name, and text.

#include <libxml/tree.h>

#include <string>
#include <string_view>
#include <vector>

namespace sekisho::inspect {

// An element of that local name in namespace `ns` ("" for no namespace).
bool is_element(const xmlNode* node, std::string_view name, std::string_view ns = {});
std::vector<xmlNode*> child_elements(xmlNode* parent, std::string_view name,
                                     std::string_view ns = {});
// The first child element of that name, or null.
xmlNode* child_element(xmlNode* parent, std::string_view name, std::string_view ns = {});
// The element's text content ("" for null).
std::string element_text(xmlNode* element);
// The value of an attribute without namespace ("" when absent).
std::string attribute(xmlNode* element, std::string_view name);

}  // namespace sekisho::inspect

#pragma once
// The XSDs of daemon/inspect/schema/, compiled into the library (see embed_schema.cmake).

#include <string_view>

namespace sekisho::inspect::schema_data {

std::string_view kousei_xsd();
std::string_view shinseisho_xsd();

}  // namespace sekisho::inspect::schema_data

#pragma once
// Validation against the project's XSDs (daemon/inspect/schema/), compiled into the binary
// so that the sandboxed worker reads no files.

#include <libxml/tree.h>

#include <string_view>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

enum class Schema { kousei, shinseisho };

// Adds E-XML-SCHEMA for each violation; returns whether the document is valid.
bool validate_schema(xmlDoc* doc, Schema schema, std::string_view file_name, Verdict& verdict);

}  // namespace sekisho::inspect

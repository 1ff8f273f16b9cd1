#pragma once
// Validation against the project's XSDs (daemon/inspect/schema/), compiled into the binary
// so that the sandboxed worker reads no files.

#include <libxml/tree.h>

#include <string_view>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

enum class Schema { kousei, shinseisho };

// Compiles both embedded schemas now rather than at the first validation (the worker calls
// it before its sandbox is applied). Throws std::logic_error if one does not compile.
void load_schemas();

// Adds E-XML-SCHEMA for each violation; returns whether the document is valid.
bool validate_schema(xmlDoc* doc, Schema schema, std::string_view file_name, Verdict& verdict);

}  // namespace sekisho::inspect

#pragma once
// The configuration schema: which sections and keys exist, their TOML types and their
// syntax. Semantic rules (what is required, files that must exist) are in validate.hpp.

#include "config/settings.hpp"
#include "config/toml_reader.hpp"

namespace sekisho::config {

void read_schema(ProblemSink& sink, const toml::table& root, Settings& settings);

}  // namespace sekisho::config

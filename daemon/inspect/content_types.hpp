#pragma once
// Content against extension (spec §1): magic bytes, no archives or executables.

#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

void check_content_types(const Package& package, Verdict& verdict);

}  // namespace sekisho::inspect

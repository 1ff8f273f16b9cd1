#pragma once
// Reads the ZIP container (spec §1): layout, entry names, entry kinds, encryption and the
// size limits, enforced on the bytes actually inflated, never on header sizes.

#include <optional>
#include <string_view>

#include "daemon/inspect/options.hpp"
#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

// Adds E-ZIP-* reasons. Returns no package when nothing further can be inspected safely
// (unreadable, a limit exceeded, no single folder).
std::optional<Package> read_container(std::string_view zip, const Limits& limits,
                                      Verdict& verdict);

}  // namespace sekisho::inspect

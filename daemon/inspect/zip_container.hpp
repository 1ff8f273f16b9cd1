#pragma once
// Reads the ZIP container (spec §1): layout, entry names, entry kinds, encryption and the
// size limits, enforced on the bytes actually inflated, never on header sizes.

#include <optional>
#include <string_view>

#include "daemon/inspect/options.hpp"
#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

// Adds E-ZIP-* reasons. Returns no package when nothing further can be inspected safely:
// unreadable, a limit exceeded, an encrypted entry, an illegal name or entry kind, not
// exactly one valid top-level folder. Files in nested folders are reported and left out.
// Entries are read through the central directory (libarchive's seekable reader); a
// central directory that names other entries than the local headers is E-ZIP-CORRUPT.
std::optional<Package> read_container(std::string_view zip, const Limits& limits, Verdict& verdict);

}  // namespace sekisho::inspect

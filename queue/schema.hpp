#pragma once
// The index's tables. Nothing personal is stored in clear: personal metadata is a sealed
// blob, reasons are codes and positions, external ids are the services' opaque ids.

#include "queue/db.hpp"

namespace sekisho::queue {

// Creates or upgrades the schema; throws for an index written by a newer version.
void ensure_schema(Db& db);

}  // namespace sekisho::queue

#pragma once
// Whether clamd's signatures are recent enough to trust a clean answer. Official
// databases carry their build date in the VERSION reply; with custom signatures only,
// VERSION has no date and the newest database file's modification time stands in.
// No date at all means stale (fail closed).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "adapters/clamd/reply.hpp"

namespace sekisho::clamd {

using SystemTime = std::chrono::system_clock::time_point;

struct Freshness {
    bool fresh = false;
    std::string reason;               // why stale, or where the date came from
    std::optional<SystemTime> dated;  // the signatures' date, when one was found
};

// The newest modification time among the signature database files (*.cvd, *.cld, *.ndb,
// *.hdb, *.ldb, ... by extension) directly in `dir`; nullopt when there is none or the
// directory cannot be read.
std::optional<SystemTime> newest_database_file(const std::filesystem::path& dir);

// Dated by VERSION if it has a date, else by newest_database_file(database_dir). Stale
// when older than `max_age`, when undated, or when dated more than an hour after `now`
// (a wrong clock or database must not make old signatures look new).
Freshness check_freshness(const VersionInfo& version, const std::filesystem::path& database_dir,
                          std::chrono::milliseconds max_age, SystemTime now);

}  // namespace sekisho::clamd

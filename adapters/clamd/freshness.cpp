#include "adapters/clamd/freshness.hpp"

#include <array>
#include <string_view>
#include <system_error>

#include "common/time_format.hpp"
#include "config/units.hpp"

namespace sekisho::clamd {
namespace {

namespace fs = std::filesystem;

// The database formats libclamav loads from a database directory (see clamscan's
// --database documentation / sigtool), compressed containers and plain signature files.
constexpr std::array<std::string_view, 33> kDatabaseExtensions = {
    ".cvd", ".cld", ".cud", ".cdiff", ".ndb",  ".ndu", ".hdb", ".hdu", ".hsb",  ".hsu",  ".mdb",
    ".mdu", ".msb", ".msu", ".ldb",   ".ldu",  ".idb", ".cdb", ".cbc", ".pdb",  ".gdb",  ".wdb",
    ".ftm", ".fp",  ".sfp", ".ign",   ".ign2", ".crb", ".cat", ".yar", ".yara", ".pwdb", ".imp"};

constexpr auto kFutureTolerance = std::chrono::hours(1);

bool is_database_file(const fs::path& p) {
    const std::string ext = p.extension().string();
    for (auto known : kDatabaseExtensions) {
        if (ext == known)
            return true;
    }
    return false;
}

std::string when(SystemTime t) {
    return rfc3339_utc(unix_ms(t));
}

}  // namespace

std::optional<SystemTime> newest_database_file(const fs::path& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec)
        return std::nullopt;
    std::optional<SystemTime> newest;
    for (const auto& entry : it) {
        if (!entry.is_regular_file(ec) || !is_database_file(entry.path()))
            continue;
        const auto mtime = entry.last_write_time(ec);
        if (ec)
            continue;
        const auto t = std::chrono::file_clock::to_sys(mtime);
        const auto as_system = std::chrono::time_point_cast<SystemTime::duration>(t);
        if (!newest || as_system > *newest)
            newest = as_system;
    }
    return newest;
}

Freshness check_freshness(const VersionInfo& version, const fs::path& database_dir,
                          std::chrono::milliseconds max_age, SystemTime now) {
    Freshness f;
    std::string source;
    if (version.database_time) {
        f.dated = version.database_time;
        source =
            "database " + std::to_string(version.database.value_or(0)) + " built " + when(*f.dated);
    } else {
        f.dated = newest_database_file(database_dir);
        if (!f.dated) {
            f.reason = "signatures undated: VERSION has no date and no database file in " +
                       database_dir.string();
            return f;
        }
        source = "newest database file in " + database_dir.string() + " modified " + when(*f.dated);
    }
    if (*f.dated > now + kFutureTolerance) {
        f.reason = "signatures dated in the future (" + source + ")";
    } else if (now - *f.dated > max_age) {
        f.reason = "signatures older than max_signature_age " + config::format_duration(max_age) +
                   " (" + source + ")";
    } else {
        f.fresh = true;
        f.reason = source;
    }
    return f;
}

}  // namespace sekisho::clamd

#pragma once
// The simulator's filings: every <name>.zip in one directory, with an optional sidecar
// <name>.json giving its listing fields, scanned again on request (common/file_scan.hpp).

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/common/file_scan.hpp"

namespace sekisho::sim::mynaportal {

struct Filing {
    std::string arrive_id;
    std::filesystem::path package;
    // Listing fields taken from the sidecar (or defaults), values as given there, so a
    // test can hand a client odd values; size and sha256 are added when listing.
    boost::json::object fields;
    std::uint64_t size = 0;
    std::string sha256_hex;
    std::int64_t submitted_ms = 0;  // the sort key; 0 when submitted_at does not parse
};

class FilingStore {
  public:
    explicit FilingStore(std::filesystem::path dir)
        : scanner_(std::move(dir), ".zip", "mynaportal") {}

    // Reads the directory again. Broken sidecars and unreadable files are skipped with a
    // warning on stderr, so one bad test file does not hide the others.
    void rescan();
    // All filings, ordered by submitted_at, then arrive_id.
    const std::vector<Filing>& filings() const { return filings_; }
    const Filing* find(std::string_view arrive_id) const;

    // The listing entry of a filing as the API shows it.
    static boost::json::object listing(const Filing& filing);
    // The package bytes as they are now; nullopt when the file is gone.
    static std::optional<std::string> read_package(const Filing& filing);

  private:
    std::optional<Filing> load(const ScannedFile& zip);

    FileScanner scanner_;
    std::vector<Filing> filings_;
};

}  // namespace sekisho::sim::mynaportal

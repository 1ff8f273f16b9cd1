#pragma once
// The simulator's result files: every <result_id>.csv in one directory (result_id of
// [0-9A-Za-z-]{1,64}; other names are ignored), scanned again on request
// (common/file_scan.hpp). A file's kind is the one its header line names and its record
// count the lines between header and trailer; an optional sidecar <result_id>.json
// {"kind": "...", "records": N} overrides either, so that a test can list a file whose
// bytes say otherwise (or nothing). Without a sidecar, only files whose header names a
// result kind (SHIKAKU-REG-RES, HONNIN-RES, SHOKAI-RES) are results.

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/common/file_scan.hpp"

namespace sekisho::sim::chukan {

inline constexpr std::size_t kMaxIdChars = 64;

// What the lines of a 中間サーバー file say about it (spec/chukan-api.md, Files): the kind in
// its header `H,<kind>,...` (empty when line 1 is no such header) and the number of lines
// between the header and the trailer `T,...` (the last line, when it is one).
struct FileShape {
    std::string kind;
    std::uint64_t records = 0;
};
FileShape shape_of(std::string_view bytes);

bool is_result_kind(std::string_view kind);

struct Result {
    std::string result_id;
    std::string kind;
    std::uint64_t records = 0;
    ScannedFile file;
};

class ResultStore {
  public:
    explicit ResultStore(std::filesystem::path dir);

    const std::filesystem::path& dir() const { return dir_; }
    // Reads the directory again. Broken sidecars and unreadable files are skipped with a
    // warning on stderr, so one bad test file does not hide the others.
    void rescan();
    // All results, ordered by result_id.
    const std::vector<Result>& results() const { return results_; }
    const Result* find(std::string_view result_id) const;

    // The listing entry as the API shows it.
    static boost::json::object listing(const Result& result);

  private:
    std::optional<Result> load(const ScannedFile& csv);

    std::filesystem::path dir_;
    FileScanner scanner_;
    std::vector<Result> results_;
};

}  // namespace sekisho::sim::chukan

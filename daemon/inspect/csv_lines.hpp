#pragma once
// KPFD0006.CSV as lines and fields (spec §4): CP932, CRLF line ends, no quoting. Lines and
// fields are views into the file's bytes; nothing is copied and nothing is kept per line.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "daemon/inspect/csv_report.hpp"

namespace sekisho::inspect::csv {

struct Line {
    std::string_view text;   // without its line end
    std::size_t number = 0;  // 1-based
};

// Reads line by line, split at LF (so that a file with wrong line ends can still be read),
// and reports the E-CSV-ENCODING problems of each line as it passes: bytes that do not
// decode, NUL, LF without CR, CR without LF, a quote character. Empty lines at the end are
// the caller's to judge: only it knows that no line follows.
class LineReader {
  public:
    LineReader(std::string_view bytes, Report& report) : bytes_(bytes), report_(report) {}

    std::optional<Line> next();
    // False once a line held bytes that do not decode or a NUL.
    bool decodable() const { return decodable_; }

  private:
    std::string_view bytes_;
    Report& report_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
    bool decodable_ = true;
};

// Fields of one line, split at commas (a comma is never part of a CP932 double-byte code).
void split_fields(std::string_view line, std::vector<std::string_view>& fields);

}  // namespace sekisho::inspect::csv

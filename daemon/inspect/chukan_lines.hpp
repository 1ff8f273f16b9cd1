#pragma once
// A 中間サーバー file as lines (spec/chukan-api.md, Files: CP932, CRLF, no quoting). Lines are
// views into the bytes; the E-CHUKAN-ENCODING problems of each line are reported as it
// passes, and a line longer than the limit ends the reading (E-CHUKAN-LIMIT).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/inspect/chukan_report.hpp"

namespace sekisho::inspect::chukan {

struct Line {
    std::string_view text;   // without its CRLF
    std::size_t number = 0;  // 1-based
};

class LineReader {
  public:
    LineReader(std::string_view bytes, std::uint64_t max_line, Report& report)
        : bytes_(bytes), max_line_(max_line), report_(report) {}

    // nullopt at the end of the bytes, or at a line over the limit (then stopped()).
    std::optional<Line> next();
    bool stopped() const { return stopped_; }
    // False once a line held bytes that do not decode, or a NUL.
    bool decodable() const { return decodable_; }
    std::size_t lines() const { return number_; }

  private:
    // Where the line starting at pos_ ends (its LF, or the end of the bytes); npos when it is
    // longer than the limit. Searches no further than the limit allows.
    std::size_t line_end() const;
    void scan(const Line& line);

    std::string_view bytes_;
    std::uint64_t max_line_;
    Report& report_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
    bool stopped_ = false;
    bool decodable_ = true;
};

}  // namespace sekisho::inspect::chukan

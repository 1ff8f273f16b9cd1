#pragma once
// The lines before the data records of KPFD0006.CSV (spec §4): FD管理レコード, [kanri], ,001
// and the 事業所 record, then [data]. Problems are E-CSV-STRUCTURE (and a stray 個人番号 in
// the 事業所 record's free text, E-MYNUMBER-NOT-ALLOWED).

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "daemon/inspect/csv_report.hpp"

namespace sekisho::inspect::csv {

inline constexpr std::string_view kDataLine = "[data]";
inline constexpr std::size_t kHeaderLines = 4;  // FD管理レコード, [kanri], ,001, 事業所

// 都道府県, 郡市区, 記号, 事業所番号 of the 事業所 record.
using OfficeKey = std::array<std::string_view, 4>;

// Checks header line `number` (1..kHeaderLines) against what the spec wants there; for the
// 事業所 record, returns its key when it has one.
std::optional<OfficeKey> check_header_line(std::string_view line, std::size_t number,
                                           Report& report);

}  // namespace sekisho::inspect::csv

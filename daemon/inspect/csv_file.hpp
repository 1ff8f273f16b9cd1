#pragma once
// KPFD0006.CSV (spec §4): CP932 text, header lines, the 事業所 record, and every field rule
// of the five forms, including the 個人番号 fields (spec §5).

#include <map>
#include <string>
#include <string_view>

#include "daemon/inspect/options.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

struct CsvSummary {
    bool readable = false;               // structure good enough to count records
    std::map<std::string, long> counts;  // data records by 様式コード
};

// Adds E-CSV-*, E-MYNUMBER-CHECKDIGIT and E-MYNUMBER-NOT-ALLOWED reasons.
CsvSummary check_csv(std::string_view bytes, const Options& options, Verdict& verdict);

}  // namespace sekisho::inspect

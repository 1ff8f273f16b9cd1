// libFuzzer target: the KPFD0006.CSV checker (spec §4, §5) on arbitrary bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/inspect/csv_file.hpp"

using namespace sekisho::inspect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view csv(reinterpret_cast<const char*>(data), size);
    Verdict verdict;
    const CsvSummary summary = check_csv(csv, Options{}, verdict);
    if (!summary.readable && !summary.counts.empty())
        __builtin_trap();  // records are counted only in a readable file
    return 0;
}

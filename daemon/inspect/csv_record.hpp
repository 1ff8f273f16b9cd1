#pragma once
// One data record of KPFD0006.CSV against its form's layout (spec §4) and the 個人番号
// policy (spec §5): E-CSV-FIELD, E-CSV-STRUCTURE (事業所 fields), E-MYNUMBER-*.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "daemon/inspect/csv_forms.hpp"
#include "daemon/inspect/csv_header.hpp"
#include "daemon/inspect/csv_report.hpp"
#include "daemon/inspect/options.hpp"

namespace sekisho::inspect::csv {

struct RecordContext {
    std::size_t line = 0;                              // 1-based line number
    const std::optional<OfficeKey>* office = nullptr;  // of line 4, when it has one
    const Options* options = nullptr;
};

// `fields` has exactly as many fields as `form` (the caller checked).
void check_record(const FormLayout& form, const std::vector<std::string_view>& fields,
                  const RecordContext& context, Report& report);

}  // namespace sekisho::inspect::csv

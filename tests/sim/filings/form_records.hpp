#pragma once
// Data records of KPFD0006.CSV, one builder per 様式コード (spec §4 table). Fields are
// UTF-8 here; the writer encodes the whole file to CP932.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/filings/rng.hpp"
#include "tests/sim/filings/synthetic_people.hpp"

namespace sekisho::sim::filings {

inline constexpr std::array<std::string_view, 5> kForms{"2200700", "2201700", "2221700", "2225700",
                                                        "2265700"};
// The default policy: only these forms may carry a 個人番号 (spec §5).
inline constexpr std::array<std::string_view, 2> kMynumberForms{"2200700", "2201700"};

struct Record {
    std::vector<std::string> fields;  // fields[0] is the 様式コード

    const std::string& form() const { return fields.front(); }
    // 1-based, as the spec counts.
    std::string& at(std::size_t n) { return fields.at(n - 1); }
    const std::string& at(std::size_t n) const { return fields.at(n - 1); }
};

// Number of fields of a form; 0 for a code the spec does not know.
std::size_t field_count(std::string_view form);
// 1-based position of the 個人番号 field.
std::size_t mynumber_field(std::string_view form);
// 1-based position of the 備考 field (free text).
std::size_t remarks_field(std::string_view form);
bool mynumber_allowed(std::string_view form);
// 資格取得届 etc.
std::string form_title(std::string_view form);

// One valid record of `form` for `person` of `office`, filed on `submitted`.
Record make_record(Rng& rng, std::string_view form, const Office& office, const Person& person,
                   Date submitted);

}  // namespace sekisho::sim::filings

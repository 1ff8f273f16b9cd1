#include "daemon/inspect/csv_report.hpp"

#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect::csv {
namespace {

// The codes this file reports, each with its slot in Report::added_.
constexpr std::array<std::string_view, 6> kCodes{
    code::csv_encoding, code::csv_structure,       code::csv_form,
    code::csv_field,    code::mynumber_checkdigit, code::mynumber_not_allowed,
};

std::size_t slot(std::string_view c) {
    for (std::size_t i = 0; i < kCodes.size(); ++i) {
        if (kCodes[i] == c)
            return i;
    }
    return kCodes.size();  // any other code: counted together, never expected here
}

}  // namespace

bool Report::full(std::string_view c) {
    return added_[slot(c)] >= Verdict::kMaxPerCode;
}

void Report::add(std::string_view c, std::string where, std::string_view detail) {
    ++added_[slot(c)];
    verdict_.add(c, std::move(where), std::string(detail));
}

void Report::line(std::string_view c, std::size_t line, std::string_view detail) {
    if (!full(c))
        add(c, std::string(kFileName) + ":" + std::to_string(line), detail);
}

void Report::field(std::string_view c, std::size_t line, std::size_t n, std::string_view detail) {
    if (!full(c))
        add(c, std::string(kFileName) + ":" + std::to_string(line) + " field " + std::to_string(n),
            detail);
}

void Report::field(std::string_view c, std::size_t line, std::size_t n, std::string_view name,
                   std::string_view rule) {
    if (!full(c))
        field(c, line, n, std::string(name) + ": " + std::string(rule));
}

}  // namespace sekisho::inspect::csv

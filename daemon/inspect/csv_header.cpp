#include "daemon/inspect/csv_header.hpp"

#include <span>
#include <vector>

#include "daemon/inspect/csv_fields.hpp"
#include "daemon/inspect/csv_lines.hpp"
#include "daemon/inspect/mynumber.hpp"
#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect::csv {
namespace {

constexpr std::string_view kKanri = "[kanri]";
constexpr std::string_view kOffices = ",001";
constexpr std::array<std::string_view, 6> kFdNames{"都道府県コード", "郡市区符号", "事業所記号",
                                                   "媒体通番",       "作成年月日", "22223"};
constexpr std::array<std::string_view, 12> kOfficeNames{
    "都道府県", "郡市区", "記号",       "事業所番号",  "郵便番号親", "郵便番号子",
    "所在地",   "名称",   "事業主氏名", "TEL市外局番", "TEL局番",    "TEL番号"};

Broken check_symbol(std::string_view value) {
    if (value.empty() || value.size() > 4)
        return "事業所記号 not of 1..4 bytes";
    return check_text(value);
}

// Reports `broken` about field `n` (1-based) of header line `line`.
void expect(Report& report, std::size_t line, std::size_t n, Broken broken) {
    const auto& names = line == 1 ? std::span<const std::string_view>(kFdNames)
                                  : std::span<const std::string_view>(kOfficeNames);
    if (broken != nullptr)
        report.field(code::csv_structure, line, n, names[n - 1], broken);
}

void check_fd_record(std::string_view line, Report& report) {
    std::vector<std::string_view> f;
    split_fields(line, f);
    if (f.size() != 6) {
        report.line(code::csv_structure, 1, "FD管理レコード does not have 6 fields");
        return;
    }
    expect(report, 1, 1, check_digits(f[0], 2));
    expect(report, 1, 2, check_digits(f[1], 2));
    expect(report, 1, 3, check_symbol(f[2]));
    expect(report, 1, 4, check_digits(f[3], 3));
    expect(report, 1, 5, check_gregorian_date(f[4]));
    if (f[5] != "22223")
        report.field(code::csv_structure, 1, 6, "FD管理レコード does not end in 22223");
}

Broken check_office_text(std::string_view value) {
    return value.empty() ? "empty" : check_text(value);
}

// The 事業所 record of `number`'s line; its 4 key fields when it has them.
std::optional<OfficeKey> check_office(std::string_view line, std::size_t number, Report& report) {
    std::vector<std::string_view> f;
    split_fields(line, f);
    if (f.size() != 12)
        report.line(code::csv_structure, number, "事業所 record does not have 12 fields");
    if (f.size() < 4)
        return std::nullopt;
    expect(report, number, 1, check_digits(f[0], 2));
    expect(report, number, 2, check_digits(f[1], 2));
    expect(report, number, 3, check_symbol(f[2]));
    expect(report, number, 4, check_digits(f[3], 5));
    static constexpr std::array<std::size_t, 2> kPostal{3, 4};
    for (std::size_t i = 4; i < f.size() && i < 12; ++i) {
        Broken broken = nullptr;
        if (i < 6)
            broken = check_digits(f[i], kPostal[i - 4]);
        else if (i < 9)
            broken = check_office_text(f[i]);
        else
            broken = check_number(f[i], 5);
        expect(report, number, i + 1, broken);
        if (i >= 6 && i < 9 && contains_mynumber(f[i], TextEncoding::cp932)) {
            report.field(code::mynumber_not_allowed, number, i + 1,
                         "12-digit number with a valid 個人番号 check digit in free text");
        }
    }
    return OfficeKey{f[0], f[1], f[2], f[3]};
}

}  // namespace

std::optional<OfficeKey> check_header_line(std::string_view line, std::size_t number,
                                           Report& report) {
    switch (number) {
        case 1:
            check_fd_record(line, report);
            return std::nullopt;
        case 2:
            if (line != kKanri)
                report.line(code::csv_structure, number, "line 2 is not [kanri]");
            return std::nullopt;
        case 3:
            if (line != kOffices)
                report.line(code::csv_structure, number, "line 3 is not ,001");
            return std::nullopt;
        default:
            return check_office(line, number, report);
    }
}

}  // namespace sekisho::inspect::csv

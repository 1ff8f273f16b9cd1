#include "daemon/inspect/chukan_file.hpp"

#include <optional>
#include <string>
#include <vector>

#include "daemon/inspect/chukan_kinds.hpp"
#include "daemon/inspect/chukan_lines.hpp"
#include "daemon/inspect/chukan_reason_codes.hpp"
#include "daemon/inspect/chukan_report.hpp"
#include "daemon/inspect/chukan_values.hpp"
#include "daemon/inspect/csv_fields.hpp"
#include "daemon/inspect/csv_lines.hpp"

namespace sekisho::inspect {
namespace {

using chukan::Line;
using chukan::Report;

constexpr std::size_t kHeaderFields = 5;
constexpr std::size_t kCountDigits = 10;  // header and trailer record counts

std::optional<std::uint64_t> record_count(std::string_view v) {
    if (chukan::check_digit_run(v, kCountDigits) != nullptr)
        return std::nullopt;
    return static_cast<std::uint64_t>(*csv::parse_number(v, kCountDigits));
}

// Header, records and trailer, one line at a time.
class Parser {
  public:
    Parser(std::string_view expected_kind, const ChukanLimits& limits, Report& report)
        : expected_(expected_kind), limits_(limits), report_(report) {}

    // False when a limit ends the inspection.
    bool line(const Line& line) {
        if (line.number == 1)
            return header(line);
        if (trailer_line_ != 0) {
            after_trailer(line);
            return true;
        }
        if (line.text.empty()) {
            report_.line(code::chukan_field, line.number, "empty line where a record belongs");
            return true;
        }
        csv::split_fields(line.text, fields_);
        if (fields_.front() == "T") {
            trailer(line);
            return true;
        }
        return record(line);
    }

    // After the last line, when no limit ended the inspection: what is missing or disagrees.
    void finish(std::size_t lines) {
        if (lines == 0) {
            report_.file(code::chukan_header, "empty file: no header line");
            return;
        }
        if (trailer_line_ == 0)
            report_.file(code::chukan_trailer, "no trailer line T,<record count> at the end");
        if (records_ == 0) {
            report_.file(code::chukan_count, "no records between the header and the trailer");
            return;
        }
        if (header_count_ && *header_count_ != records_)
            report_.line(code::chukan_count, 1, "header record count differs from the records");
        if (trailer_count_ && *trailer_count_ != records_) {
            report_.line(code::chukan_count, trailer_line_,
                         "trailer record count differs from the records");
        }
    }

    std::int64_t records() const { return static_cast<std::int64_t>(records_); }

    std::vector<std::string> flags() const {
        if (layout_ == nullptr || layout_->kind != "HONNIN-RES" || state_.multiple_matches == 0)
            return {};
        return {std::string(kFlagHonninMultipleMatches) + ":" +
                std::to_string(state_.multiple_matches)};
    }

  private:
    bool header(const Line& line) {
        csv::split_fields(line.text, fields_);
        if (fields_.front() != "H") {
            report_.line(code::chukan_header, 1, "line 1 is not a header H,<kind>,…");
            layout_ = chukan::find_layout(expected_);  // the records are still worth checking
            return true;
        }
        if (fields_.size() != kHeaderFields)
            report_.line(code::chukan_header, 1, "header has not 5 fields");
        const std::string_view kind = fields_.size() > 1 ? fields_[1] : std::string_view{};
        if (kind != expected_)
            report_.line(code::chukan_kind, 1, "kind in the header is not the expected kind");
        layout_ = chukan::find_layout(kind);
        header_values();
        if (header_count_ && *header_count_ > limits_.max_records) {
            report_.line(code::chukan_limit, 1, "record count in the header above the limit");
            return false;
        }
        return true;
    }

    void header_values() {
        if (fields_.size() > 2 && csv::check_digits(fields_[2], 8) != nullptr)
            report_.field(code::chukan_header, 1, 3, "保険者番号", "not 8 digits");
        if (fields_.size() > 3) {
            if (const auto broken = chukan::check_datetime(fields_[3]))
                report_.field(code::chukan_header, 1, 4, "作成日時", broken);
        }
        if (fields_.size() > 4) {
            header_count_ = record_count(fields_[4]);
            if (!header_count_)
                report_.field(code::chukan_header, 1, 5, "record count", "not a number");
        }
    }

    bool record(const Line& line) {
        if (records_ >= limits_.max_records) {
            report_.line(code::chukan_limit, line.number, "more records than the limit");
            return false;
        }
        ++records_;
        if (layout_ == nullptr)
            return true;  // a kind the header names but nobody knows: counted only
        if (fields_.size() != layout_->fields.size()) {
            report_.line(code::chukan_field, line.number, "wrong number of fields for its kind");
            return true;
        }
        chukan::check_record(*layout_, fields_, line.number, state_, report_);
        return true;
    }

    void trailer(const Line& line) {
        trailer_line_ = line.number;
        if (fields_.size() == 2)
            trailer_count_ = record_count(fields_[1]);
        if (!trailer_count_)
            report_.line(code::chukan_trailer, line.number, "trailer is not T,<record count>");
    }

    void after_trailer(const Line& line) {
        if (!after_reported_)
            report_.line(code::chukan_trailer, line.number, "line after the trailer");
        after_reported_ = true;
    }

    std::string_view expected_;
    const ChukanLimits& limits_;
    Report& report_;
    const chukan::KindLayout* layout_ = nullptr;
    std::optional<std::uint64_t> header_count_;
    std::optional<std::uint64_t> trailer_count_;
    std::size_t trailer_line_ = 0;  // 0 until the trailer is seen
    bool after_reported_ = false;
    std::uint64_t records_ = 0;
    chukan::FileState state_;
    std::vector<std::string_view> fields_;  // reused from line to line
};

}  // namespace

ChukanInspection inspect_chukan_file(std::string_view bytes, std::string_view expected_kind,
                                     const ChukanLimits& limits) {
    ChukanInspection out;
    Report report;
    if (bytes.size() > limits.max_bytes) {
        report.file(code::chukan_limit, "file larger than the limit");
        out.verdict = report.verdict(true);
        return out;
    }
    if (!is_chukan_kind(expected_kind))
        report.file(code::chukan_kind, "the expected kind is not one of the six kinds");
    Parser parser(expected_kind, limits, report);
    chukan::LineReader reader(bytes, limits.max_line, report);
    bool going = true;
    while (going) {
        const auto line = reader.next();
        if (!line)
            break;
        going = parser.line(*line);
    }
    if (going && !reader.stopped())
        parser.finish(reader.lines());
    out.verdict = report.verdict(reader.decodable());
    out.records = parser.records();
    out.flags = parser.flags();
    return out;
}

}  // namespace sekisho::inspect

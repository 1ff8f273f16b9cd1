#include "daemon/inspect/csv_file.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "daemon/inspect/csv_fields.hpp"
#include "daemon/inspect/csv_forms.hpp"
#include "daemon/inspect/csv_header.hpp"
#include "daemon/inspect/csv_lines.hpp"
#include "daemon/inspect/csv_record.hpp"
#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect {
namespace {

// The key a record is counted under: its 様式コード, or one key for anything that cannot be one
// (so that the counts never carry arbitrary text from the file).
std::string count_key(std::string_view code) {
    if (code.empty() || code.size() > 7 || !csv::all_digits(code))
        return "?";
    return std::string(code);
}

// Header lines up to [data], then data records, one line at a time.
class CsvParser {
  public:
    CsvParser(const Options& options, csv::Report& report, CsvSummary& summary)
        : options_(options), report_(report), summary_(summary) {}

    void line(const csv::Line& line) {
        if (in_data_)
            record(line);
        else
            header(line);
    }

    // After the last line: what is missing.
    void finish(std::size_t lines) {
        if (!in_data_) {
            report_.line(code::csv_structure, std::min(lines, csv::kHeaderLines) + 1,
                         "no [data] line after the header");
            return;
        }
        summary_.readable = true;
        if (records_ == 0)
            report_.line(code::csv_structure, data_line_, "no data record after [data]");
    }

  private:
    void header(const csv::Line& line) {
        if (line.text == csv::kDataLine) {
            in_data_ = true;
            data_line_ = line.number;
            if (line.number != csv::kHeaderLines + 1)
                report_.line(code::csv_structure, line.number, "header is not 4 lines");
            return;
        }
        if (line.number <= csv::kHeaderLines) {
            auto key = csv::check_header_line(line.text, line.number, report_);
            if (line.number == csv::kHeaderLines)
                office_ = key;
        }
    }

    void record(const csv::Line& line) {
        if (line.text.empty()) {
            report_.line(code::csv_structure, line.number, "empty line among the data records");
            return;
        }
        ++records_;
        csv::split_fields(line.text, fields_);
        ++summary_.counts[count_key(fields_.front())];
        const csv::FormLayout* form = csv::find_form(fields_.front());
        if (form == nullptr) {
            report_.field(code::csv_form, line.number, 1, "unknown 様式コード");
            return;
        }
        if (fields_.size() != form->fields.size()) {
            report_.line(code::csv_form, line.number, "wrong number of fields for its 様式コード");
            return;
        }
        csv::check_record(*form, fields_, {line.number, &office_, &options_}, report_);
    }

    const Options& options_;
    csv::Report& report_;
    CsvSummary& summary_;
    bool in_data_ = false;
    std::size_t data_line_ = 0;
    std::size_t records_ = 0;
    std::optional<csv::OfficeKey> office_;
    std::vector<std::string_view> fields_;  // reused from record to record
};

}  // namespace

CsvSummary check_csv(std::string_view bytes, const Options& options, Verdict& verdict) {
    // Encoding problems go straight to the verdict. Everything else is judged on the decoded
    // text, so it is kept aside and dropped when a line turns out not to decode: bytes that
    // are not CP932 (a file in UTF-8, say) would otherwise break every field rule as well.
    csv::Report encoding(verdict);
    Verdict judged;
    csv::Report report(judged);
    CsvSummary summary;
    CsvParser parser(options, report, summary);
    csv::LineReader reader(bytes, encoding);
    std::vector<csv::Line> empty;  // empty lines not yet known to be followed by a line
    std::size_t lines = 0;
    while (const auto line = reader.next()) {
        lines = line->number;
        if (line->text.empty()) {
            if (empty.size() < Verdict::kMaxPerCode)
                empty.push_back(*line);
            continue;
        }
        for (const auto& e : empty)
            parser.line(e);
        empty.clear();
        parser.line(*line);
    }
    // One final CRLF ends the last line; every empty line after it is one too many.
    for (const auto& e : empty)
        encoding.line(code::csv_encoding, e.number, "empty line at the end of the file");
    parser.finish(lines - empty.size());
    if (!reader.decodable())
        return {};
    verdict.merge(judged);
    return summary;
}

}  // namespace sekisho::inspect

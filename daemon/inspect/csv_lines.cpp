#include "daemon/inspect/csv_lines.hpp"

#include "daemon/inspect/cp932.hpp"
#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect::csv {
namespace {

// What one pass over a line found wrong with its bytes.
struct LineFlags {
    bool undecodable = false;
    bool nul = false;
    bool bare_cr = false;
    bool quote = false;
};

void report_flags(const LineFlags& f, std::size_t number, Report& report) {
    if (f.undecodable)
        report.line(code::csv_encoding, number, "not valid CP932");
    if (f.nul)
        report.line(code::csv_encoding, number, "NUL byte");
    if (f.bare_cr)
        report.line(code::csv_encoding, number, "CR without LF");
    if (f.quote)
        report.line(code::csv_encoding, number, "quote character: quoting is not allowed");
}

// Looks at the byte at `pos` (not LF) and returns where the next character starts.
std::size_t scan_char(std::string_view bytes, std::size_t pos, LineFlags& flags) {
    const auto c = static_cast<unsigned char>(bytes[pos]);
    if (c == '\r') {
        if (pos + 1 == bytes.size() || bytes[pos + 1] != '\n')
            flags.bare_cr = true;
    } else if (c == '"') {
        flags.quote = true;
    } else if (c == '\0') {
        flags.nul = true;
    } else if (c >= 0x80) {
        const std::size_t size = cp932_char_size(bytes, pos);
        flags.undecodable = flags.undecodable || size == 0;
        return pos + (size == 0 ? 1 : size);
    }
    return pos + 1;
}

}  // namespace

std::optional<Line> LineReader::next() {
    if (pos_ >= bytes_.size())
        return std::nullopt;
    const std::size_t start = pos_;
    LineFlags flags;
    // Printable ASCII, the bulk of a CSV, takes the short path.
    while (pos_ < bytes_.size() && bytes_[pos_] != '\n') {
        const auto c = static_cast<unsigned char>(bytes_[pos_]);
        if (c >= 0x20 && c < 0x7F && c != '"')
            ++pos_;
        else
            pos_ = scan_char(bytes_, pos_, flags);
    }
    Line line{bytes_.substr(start, pos_ - start), ++number_};
    if (pos_ < bytes_.size()) {  // at LF
        ++pos_;
        if (line.text.ends_with('\r'))
            line.text.remove_suffix(1);
        else
            report_.line(code::csv_encoding, line.number, "line ends in LF without CR");
    }
    report_flags(flags, line.number, report_);
    decodable_ = decodable_ && !flags.undecodable && !flags.nul;
    return line;
}

void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
    // A plain loop: fields are short, and memchr's call costs more than it saves on them.
    fields.clear();
    std::size_t start = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == ',') {
            fields.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    }
    fields.push_back(line.substr(start));
}

}  // namespace sekisho::inspect::csv

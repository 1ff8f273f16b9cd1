#include "daemon/inspect/chukan_lines.hpp"

#include <algorithm>
#include <cstring>

#include "daemon/inspect/chukan_reason_codes.hpp"
#include "daemon/inspect/cp932.hpp"

namespace sekisho::inspect::chukan {
namespace {

// What one pass over a line found wrong with its bytes.
struct Flags {
    bool undecodable = false;
    bool nul = false;
    bool bare_cr = false;
    bool quote = false;
};

Flags scan_bytes(std::string_view text) {
    Flags f;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto c = static_cast<unsigned char>(text[pos]);
        std::size_t size = 1;
        if (c == '\r')
            f.bare_cr = true;
        else if (c == '"')
            f.quote = true;
        else if (c == '\0')
            f.nul = true;
        else if (c >= 0x80)
            size = cp932_char_size(text, pos);
        f.undecodable = f.undecodable || size == 0;
        pos += std::max<std::size_t>(size, 1);
    }
    return f;
}

}  // namespace

std::size_t LineReader::line_end() const {
    const std::size_t rest = bytes_.size() - pos_;  // > 0
    // A line of max_line bytes, its CR and its LF (written so that no sum can overflow).
    const std::size_t window = rest - 2 <= max_line_ || rest < 2 ? rest : max_line_ + 2;
    const void* lf = std::memchr(bytes_.data() + pos_, '\n', window);
    if (lf != nullptr)
        return static_cast<std::size_t>(static_cast<const char*>(lf) - bytes_.data());
    return rest - 1 <= max_line_ ? bytes_.size() : std::string_view::npos;
}

std::optional<Line> LineReader::next() {
    if (stopped_ || pos_ >= bytes_.size())
        return std::nullopt;
    const std::size_t end = line_end();
    Line line{{}, ++number_};
    if (end == std::string_view::npos) {
        stopped_ = true;
        report_.line(code::chukan_limit, line.number, "line longer than the limit");
        return std::nullopt;
    }
    line.text = bytes_.substr(pos_, end - pos_);
    pos_ = end;
    if (pos_ < bytes_.size()) {  // at LF
        ++pos_;
        if (line.text.ends_with('\r'))
            line.text.remove_suffix(1);
        else
            report_.line(code::chukan_encoding, line.number, "line ends in LF without CR");
    }
    if (line.text.size() > max_line_) {
        stopped_ = true;
        report_.line(code::chukan_limit, line.number, "line longer than the limit");
        return std::nullopt;
    }
    scan(line);
    return line;
}

void LineReader::scan(const Line& line) {
    const Flags f = scan_bytes(line.text);
    if (f.undecodable)
        report_.line(code::chukan_encoding, line.number, "not valid CP932");
    if (f.nul)
        report_.line(code::chukan_encoding, line.number, "NUL byte");
    if (f.bare_cr)
        report_.line(code::chukan_encoding, line.number, "CR without LF");
    if (f.quote)
        report_.line(code::chukan_encoding, line.number, "quote character: quoting is not allowed");
    decodable_ = decodable_ && !f.undecodable && !f.nul;
}

}  // namespace sekisho::inspect::chukan

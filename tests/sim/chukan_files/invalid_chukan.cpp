#include "tests/sim/chukan_files/invalid_chukan.hpp"

#include "daemon/inspect/chukan_inspection.hpp"
#include "daemon/inspect/chukan_reason_codes.hpp"

namespace sekisho::sim::chukan_files {
namespace {

namespace code = sekisho::inspect::code;

// Stands in a field for bytes that cannot go through the UTF-8 → CP932 conversion.
const std::string kMark = "@MARK@";

void mark(Draft& d, std::size_t record, std::size_t field, const std::string& around = "") {
    d.records.at(record).at(field - 1) = around.empty() ? kMark : around + kMark + around;
}

ByteEdit unmark(std::string raw) {
    return [raw](std::string& bytes) { replace_once(bytes, kMark, raw); };
}

// Line 2 of the bytes (the first record) with its CRLF.
std::string second_line(const std::string& bytes) {
    const auto start = bytes.find("\r\n") + 2;
    return bytes.substr(start, bytes.find("\r\n", start) + 2 - start);
}

void encoding_cases(Cases& c) {
    const auto enc = code::chukan_encoding;
    c.add(enc, "SHIKAKU-REG-REQ", "LF line ends", {}, {}, {.eol = "\n"});
    c.add(
        enc, "HONNIN-RES", "a byte that is not CP932 in 氏名",
        [](Draft& d) { mark(d, 0, 5, "田中"); }, unmark("\x80"));
    c.add(
        enc, "SHOKAI-REQ", "a NUL byte in 事務名称", [](Draft& d) { mark(d, 0, 2, "事務"); },
        unmark(std::string(1, '\0')));
    c.add(enc, "SHIKAKU-REG-REQ", "氏名 in quotes",
          [](Draft& d) { d.records[0][4] = "\"" + d.records[0][4] + "\""; });
    c.add(enc, "HONNIN-REQ", "a CR without LF in 住所",
          [](Draft& d) { d.records[1][6] = "愛知県\r名古屋市"; });
    c.add(
        enc, "SHOKAI-RES", "a double-byte lead byte cut off by the line end",
        [](Draft& d) { d.records[0][7] += kMark; }, unmark("\x88"));
}

void header_cases(Cases& c) {
    const auto hdr = code::chukan_header;
    c.add(hdr, "SHIKAKU-REG-RES", "保険者番号 of 7 digits",
          [](Draft& d) { d.insurer = "0623001"; });
    c.add(hdr, "HONNIN-RES", "作成日時 on 31 November",
          [](Draft& d) { d.created = "20261131100000"; });
    c.add(hdr, "SHOKAI-RES", "作成日時 at hour 24", [](Draft& d) { d.created = "20261124240000"; });
    c.add(hdr, "HONNIN-REQ", "a sixth header field", [](Draft& d) { d.created += ",X"; });
    c.add(hdr, "SHOKAI-REQ", "a header record count that is not a number",
          [](Draft& d) { d.header_count = "5O"; });
    c.add(hdr, "SHIKAKU-REG-REQ", "line 1 does not start with H", {},
          [](std::string& b) { b[0] = 'X'; });
}

void kind_cases(Cases& c) {
    const auto kind = code::chukan_kind;
    const auto as = [&c](std::string_view real, std::string_view expected, std::string what) {
        c.add_bytes(code::chukan_kind, expected, std::move(what), render(c.base(real)));
    };
    as("SHOKAI-RES", "HONNIN-RES", "a SHOKAI-RES file where HONNIN-RES was listed");
    as("HONNIN-REQ", "HONNIN-RES", "a request file where a result was listed");
    as("SHIKAKU-REG-RES", "SHIKAKU-REG-REQ", "a result file submitted as a request");
    c.add(kind, "HONNIN-RES", "a kind nobody knows", [](Draft& d) { d.kind = "HONNIN-RESULT"; });
    c.add(kind, "SHOKAI-REQ", "the kind in lower case", [](Draft& d) { d.kind = "shokai-req"; });
}

void trailer_cases(Cases& c) {
    const auto tr = code::chukan_trailer;
    c.add(tr, "HONNIN-RES", "no trailer", {}, {}, {.trailer = false});
    c.add(tr, "SHOKAI-RES", "a trailer without its count", {}, [](std::string& b) {
        b.resize(b.rfind("T,5\r\n"));
        b += "T\r\n";
    });
    c.add(tr, "SHIKAKU-REG-RES", "a trailer with a third field",
          [](Draft& d) { d.trailer_count = "5,0"; });
    c.add(tr, "HONNIN-REQ", "a trailer count that is not a number",
          [](Draft& d) { d.trailer_count = "-5"; });
    c.add(tr, "SHOKAI-REQ", "a record after the trailer", {},
          [](std::string& b) { b += second_line(b); });
    c.add(tr, "SHIKAKU-REG-REQ", "an empty line after the trailer", {},
          [](std::string& b) { b += "\r\n"; });
}

void count_cases(Cases& c) {
    const auto cnt = code::chukan_count;
    c.add(cnt, "HONNIN-RES", "header count one too many", [](Draft& d) { d.header_count = "6"; });
    c.add(cnt, "SHIKAKU-REG-REQ", "trailer count one too few",
          [](Draft& d) { d.trailer_count = "4"; });
    c.add(cnt, "SHOKAI-RES", "a record lost between header and trailer", [](Draft& d) {
        d.header_count = d.trailer_count = "5";
        d.records.pop_back();
    });
    c.add(cnt, "HONNIN-REQ", "no records", [](Draft& d) { d.records.clear(); });
}

void limit_cases(Cases& c) {
    const auto lim = code::chukan_limit;
    const inspect::ChukanLimits limits;
    const std::string max_records = std::to_string(limits.max_records + 1);
    c.add(lim, "SHOKAI-RES", "a record line longer than the line limit",
          [&](Draft& d) { d.records[0][7] = std::string(limits.max_line + 10, 'A'); });
    c.add(lim, "HONNIN-RES", "a header count above the record limit",
          [&](Draft& d) { d.header_count = max_records; });
    c.add(lim, "SHIKAKU-REG-RES", "a header line longer than the line limit",
          [&](Draft& d) { d.created += std::string(limits.max_line, '0'); });
}

}  // namespace

void Cases::add(std::string_view c, std::string_view kind, std::string description,
                const Edit& edit, const ByteEdit& bytes, const RenderOptions& options) {
    Draft d = base(kind);
    if (edit)
        edit(d);
    std::string out = render(d, options);
    if (bytes)
        bytes(out);
    add_bytes(c, kind, std::move(description), std::move(out));
}

void Cases::add_bytes(std::string_view c, std::string_view kind, std::string description,
                      std::string bytes) {
    cases_.push_back({std::string(c),
                      std::string(kind),
                      std::move(description),
                      std::move(bytes),
                      {std::string(c)}});
}

void add_structure_cases(Cases& c) {
    encoding_cases(c);
    header_cases(c);
    kind_cases(c);
    trailer_cases(c);
    count_cases(c);
    limit_cases(c);
}

std::vector<Case> make_invalid(Rng& rng, Date day) {
    Cases cases(rng, day);
    add_structure_cases(cases);
    add_field_cases(cases);
    return cases.take();
}

}  // namespace sekisho::sim::chukan_files

#pragma once
// Rendering a filing to the files of its package (spec §2 and §4): KPFD0006.CSV in CP932
// with CRLF, the 申請書XML (届書総括票) and kousei.xml in UTF-8.

#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/filings/form_records.hpp"
#include "tests/sim/filings/synthetic_people.hpp"

namespace sekisho::sim::filings {

inline constexpr std::string_view kCsvName = "KPFD0006.CSV";
inline constexpr std::string_view kKouseiName = "kousei.xml";

struct Attachment {
    std::string name;   // file name in the folder
    std::string label;  // 名称 in kousei.xml
    std::string bytes;
};

struct Filing {
    std::string procedure_id;  // 16 of [0-9A-Z]
    std::string form_id;       // 18 digits
    Office office;
    Date submitted;
    std::string submitted_at;  // RFC 3339, +09:00
    std::vector<Record> records;
    std::vector<Attachment> attachments;

    std::string folder() const { return procedure_id + "(1)/"; }
    std::string form_file() const { return form_id + "_01.xml"; }
    // Form codes in order of first appearance in the records.
    std::vector<std::string> form_codes() const;
};

struct FormCount {
    std::string form;
    int count = 0;
};
std::vector<FormCount> record_counts(const Filing& filing);

// The CSV as lines of UTF-8 fields, so that invalid cases can break it before encoding.
struct Csv {
    std::vector<std::vector<std::string>> lines;
    std::string eol = "\r\n";
};
Csv make_csv(const Filing& filing);
std::string encode_csv(const Csv& csv);  // CP932 bytes
std::string render_csv(const Filing& filing);

std::string render_shinseisho(const Filing& filing, const std::vector<FormCount>& counts);

// One 添付書類属性情報 of kousei.xml.
struct Listed {
    std::string kind;   // 添付種別
    std::string label;  // 名称
    std::string name;   // ファイル名称
};
// Unsigned kousei.xml (empty 署名情報) listing the 申請書XML and `attachments`.
std::string render_kousei(const Filing& filing, const std::vector<Listed>& attachments);

std::string xml_escape(std::string_view text);
// Replaces the first `from` in `text`; throws when there is none, so that a case that
// meant to break something cannot silently produce a valid package.
void replace_once(std::string& text, std::string_view from, std::string_view to);

}  // namespace sekisho::sim::filings

#include "tests/sim/filings/filing_writer.hpp"

#include <algorithm>
#include <stdexcept>

#include "tests/sim/filings/text_encoding.hpp"

namespace sekisho::sim::filings {
namespace {

std::string element(std::string_view indent, std::string_view name, std::string_view value) {
    return std::string(indent) + "<" + std::string(name) + ">" + xml_escape(value) + "</" +
           std::string(name) + ">\n";
}

std::string procedure_title(const Filing& filing) {
    const auto forms = filing.form_codes();
    if (forms.size() == 1)
        return form_title(forms.front());
    return "健康保険被保険者届書（複数様式）";
}

std::string management(const Filing& f) {
    return "    <管理情報>\n"
           "      <手続番号>\n" +
           element("        ", "受付行政機関ID", "100495") +
           element("        ", "手続ID", f.procedure_id) + "      </手続番号>\n" +
           element("      ", "手続名称", procedure_title(f)) +
           element("      ", "申請種別", "新規申請") + "      <申請者情報>\n" +
           element("        ", "事業所記号", f.office.symbol) +
           element("        ", "事業所番号", f.office.number) +
           element("        ", "名称", f.office.name) + "      </申請者情報>\n    </管理情報>\n";
}

std::string form_attributes(const Filing& f) {
    return "    <申請書属性情報>\n" + element("      ", "申請書様式ID", f.form_id) +
           element("      ", "様式バージョン", "0001") +
           element("      ", "様式名称", "届書総括票") +
           element("      ", "ファイル名称", f.form_file()) + "    </申請書属性情報>\n";
}

}  // namespace

std::vector<std::string> Filing::form_codes() const {
    std::vector<std::string> out;
    for (const auto& r : records) {
        if (std::find(out.begin(), out.end(), r.form()) == out.end())
            out.push_back(r.form());
    }
    return out;
}

std::vector<FormCount> record_counts(const Filing& filing) {
    std::vector<FormCount> out;
    for (const auto& form : filing.form_codes()) {
        const auto n = std::count_if(filing.records.begin(), filing.records.end(),
                                     [&](const Record& r) { return r.form() == form; });
        out.push_back({form, static_cast<int>(n)});
    }
    return out;
}

Csv make_csv(const Filing& f) {
    const Office& o = f.office;
    Csv csv;
    csv.lines.push_back(
        {o.prefecture, o.district, o.symbol, "001", compact_date(f.submitted), "22223"});
    csv.lines.push_back({"[kanri]"});
    csv.lines.push_back({"", "001"});
    csv.lines.push_back({o.prefecture, o.district, o.symbol, o.number, o.postal_parent,
                         o.postal_child, o.address, o.name, o.owner, o.tel_area, o.tel_local,
                         o.tel_number});
    csv.lines.push_back({"[data]"});
    for (const auto& r : f.records)
        csv.lines.push_back(r.fields);
    return csv;
}

std::string encode_csv(const Csv& csv) {
    std::string text;
    for (const auto& line : csv.lines) {
        for (std::size_t i = 0; i < line.size(); ++i)
            text += (i == 0 ? "" : ",") + line[i];
        text += csv.eol;
    }
    return utf8_to_cp932(text);
}

std::string render_csv(const Filing& filing) {
    return encode_csv(make_csv(filing));
}

std::string render_shinseisho(const Filing& f, const std::vector<FormCount>& counts) {
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataRoot>\n" +
                      element("  ", "様式ID", f.form_id) + element("  ", "様式バージョン", "0001") +
                      element("  ", "STYLESHEET", f.form_id + ".xsl") +
                      element("  ", "様式コピー情報", "0") + "  <届書総括票>\n" +
                      element("    ", "提出年月日", iso_date(f.submitted)) +
                      element("    ", "事業所記号", f.office.symbol) +
                      element("    ", "事業所番号", f.office.number);
    for (const auto& c : counts) {
        xml += "    <届書件数 様式コード=\"" + xml_escape(c.form) + "\">" +
               std::to_string(c.count) + "</届書件数>\n";
    }
    return xml + "  </届書総括票>\n</DataRoot>\n";
}

std::string render_kousei(const Filing& f, const std::vector<Listed>& attachments) {
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataRoot>\n" +
                      element("  ", "様式ID", "999000000000000001") +
                      element("  ", "様式バージョン", "0001") +
                      element("  ", "STYLESHEET", "999000000000000001.xsl") +
                      "  <構成情報 ID=\"構成情報\">\n" + management(f) + form_attributes(f);
    for (const auto& a : attachments) {
        xml += "    <添付書類属性情報>\n" + element("      ", "添付種別", a.kind) +
               element("      ", "名称", a.label) + element("      ", "ファイル名称", a.name) +
               "    </添付書類属性情報>\n";
    }
    return xml + "  </構成情報>\n  <署名情報></署名情報>\n</DataRoot>\n";
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

void replace_once(std::string& text, std::string_view from, std::string_view to) {
    const auto pos = text.find(from);
    if (pos == std::string::npos)
        throw std::logic_error("replace_once: '" + std::string(from) + "' not found");
    text.replace(pos, from.size(), to);
}

}  // namespace sekisho::sim::filings

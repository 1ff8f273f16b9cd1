// Invalid KPFD0006.CSV files (spec §4): E-CSV-ENCODING, E-CSV-STRUCTURE, E-CSV-FORM,
// E-CSV-FIELD, E-CSV-COUNT. Certificate packages are signed after the change, so the
// signature is valid and only the CSV rule is broken.

#include <stdexcept>

#include "tests/sim/filings/invalid_cases.hpp"
#include "tests/sim/filings/text_encoding.hpp"

namespace sekisho::sim::filings {
namespace {

std::string& csv_bytes(Draft& d) {
    return file(d, kCsvName).bytes;
}

// Re-encodes the CSV after `change` edited its lines.
template <class F>
void edit_csv(Draft& d, F change) {
    Csv csv = make_csv(d.filing);
    change(csv);
    csv_bytes(d) = encode_csv(csv);
}

void require_not_cp932(const std::string& bytes) {
    if (cp932_to_utf8(bytes))
        throw std::logic_error("E-CSV-ENCODING case decodes as CP932");
}

// --- E-CSV-ENCODING ---------------------------------------------------------------------------

void utf8_csv(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 2}}), "certificate", "E-CSV-ENCODING",
                   "KPFD0006.CSV written in UTF-8 instead of CP932");
    Csv csv = make_csv(d.filing);
    std::string text;
    for (const auto& line : csv.lines) {
        for (std::size_t i = 0; i < line.size(); ++i)
            text += (i == 0 ? "" : ",") + line[i];
        text += "\r\n";
    }
    require_not_cp932(text);  // half-width kana in UTF-8 (EF BD xx) are not CP932
    csv_bytes(d) = text;
    finish(env, d);
}

void lf_line_ends(CaseEnv& env) {
    Draft d = base(env, plan({{"2201700", 2}}), "gbizid", "E-CSV-ENCODING",
                   "KPFD0006.CSV with LF line ends instead of CRLF");
    edit_csv(d, [](Csv& csv) { csv.eol = "\n"; });
    env.sink.write(d);
}

void nul_byte(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}), "certificate", "E-CSV-ENCODING",
                   "NUL byte inside the 備考 field");
    first_record(d, "2200700").at(27) = std::string("退職") + '\0' + "予定";
    rerender(d);
    finish(env, d, Signer::p256);
}

void invalid_byte(CaseEnv& env) {
    Draft d = base(env, plan({{"2265700", 2}}), "gbizid", "E-CSV-ENCODING",
                   "byte 0x80 (not CP932) inside the 備考 field");
    first_record(d, "2265700").at(21) = "@@BAD@@";
    rerender(d);
    replace_once(csv_bytes(d), "@@BAD@@", "\x80");
    require_not_cp932(csv_bytes(d));
    env.sink.write(d);
}

// --- E-CSV-STRUCTURE --------------------------------------------------------------------------

void structure(CaseEnv& env, const std::string& auth, const std::string& description,
               void (*change)(Csv&)) {
    Draft d =
        base(env, plan({{"2200700", 1}, {"2201700", 1}}), auth, "E-CSV-STRUCTURE", description);
    edit_csv(d, change);
    finish(env, d);
}

void add_structure_cases(std::vector<InvalidCase>& cases) {
    cases.push_back({"E-CSV-STRUCTURE", [](CaseEnv& env) {
                         structure(env, "certificate", "[kanri] line missing",
                                   [](Csv& c) { c.lines.erase(c.lines.begin() + 1); });
                     }});
    cases.push_back({"E-CSV-STRUCTURE", [](CaseEnv& env) {
                         structure(env, "gbizid", "事業所 record (line 4) has 11 fields",
                                   [](Csv& c) { c.lines[3].pop_back(); });
                     }});
    cases.push_back({"E-CSV-STRUCTURE", [](CaseEnv& env) {
                         structure(env, "gbizid", "number of 事業所 is ,002 (must be ,001)",
                                   [](Csv& c) { c.lines[2][1] = "002"; });
                     }});
    cases.push_back({"E-CSV-STRUCTURE", [](CaseEnv& env) {
                         structure(env, "certificate",
                                   "FD管理レコード ends in 22224 instead of 22223",
                                   [](Csv& c) { c.lines[0][5] = "22224"; });
                     }});
}

// --- E-CSV-FORM -------------------------------------------------------------------------------

void unknown_form(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 2}}, {}, 0), "certificate", "E-CSV-FORM",
                   "record with the unknown 様式コード 2299700 (listed in 届書件数 too)");
    d.filing.records.back().at(1) = "2299700";
    rerender(d);
    finish(env, d);
}

void wrong_field_count(CaseEnv& env, const std::string& form, bool longer,
                       const std::string& description) {
    Draft d = base(env, plan({{form, 2}}), "gbizid", "E-CSV-FORM", description);
    auto& fields = first_record(d, form).fields;
    if (longer)
        fields.push_back("");
    else
        fields.pop_back();
    rerender(d);
    env.sink.write(d);
}

// --- E-CSV-FIELD ------------------------------------------------------------------------------

void field(CaseEnv& env, const std::string& form, const std::string& auth,
           const std::string& description, void (*change)(Record&)) {
    Draft d = base(env, plan({{form, 2}}), auth, "E-CSV-FIELD", description);
    change(first_record(d, form));
    rerender(d);
    finish(env, d);
}

void add_field_cases(std::vector<InvalidCase>& cases) {
    cases.push_back({"E-CSV-FIELD", [](CaseEnv& env) {
                         field(env, "2200700", "certificate",
                               "取得年月日 平成31年5月1日: 平成 ended 2019-04-30", [](Record& r) {
                                   r.at(17) = "7";
                                   r.at(18) = "310501";
                               });
                     }});
    cases.push_back({"E-CSV-FIELD", [](CaseEnv& env) {
                         field(env, "2201700", "gbizid", "生年月日 on February 30", [](Record& r) {
                             r.at(9) = "5";
                             r.at(10) = "550230";
                         });
                     }});
    cases.push_back({"E-CSV-FIELD", [](CaseEnv& env) {
                         field(env, "2221700", "certificate", "氏名カナ in full-width katakana",
                               [](Record& r) { r.at(6) = "タナカ　タロウ"; });
                     }});
    cases.push_back(
        {"E-CSV-FIELD", [](CaseEnv& env) {
             field(env, "2200700", "gbizid", "報酬月額合計 is not 通貨 + 現物",
                   [](Record& r) { r.at(23) = std::to_string(std::stol(r.at(23)) + 1000); });
         }});
    cases.push_back({"E-CSV-FIELD", [](CaseEnv& env) {
                         field(env, "2265700", "certificate",
                               "賞与額合計 not truncated to whole thousands", [](Record& r) {
                                   r.at(12) = "523456";
                                   r.at(13) = "0";
                                   r.at(14) = "523456";
                               });
                     }});
    cases.push_back({"E-CSV-FIELD", [](CaseEnv& env) {
                         field(env, "2225700", "gbizid", "氏名 of 26 bytes (limit 24)",
                               [](Record& r) { r.at(7) = "勅使河原　左衛門三郎太郎兵衛"; });
                     }});
}

// --- E-CSV-COUNT ------------------------------------------------------------------------------

void count_off_by_one(CaseEnv& env) {
    Draft d = base(env, plan({{"2225700", 3}}), "certificate", "E-CSV-COUNT",
                   "届書件数 says 4, the CSV has 3 records");
    auto counts = record_counts(d.filing);
    counts.front().count += 1;
    file(d, d.filing.form_file()).bytes = render_shinseisho(d.filing, counts);
    finish(env, d);
}

void counts_swapped(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 2}, {"2201700", 1}}), "gbizid", "E-CSV-COUNT",
                   "届書件数 of 2200700 and 2201700 swapped (1 and 2 instead of 2 and 1)");
    auto counts = record_counts(d.filing);
    std::swap(counts[0].count, counts[1].count);
    file(d, d.filing.form_file()).bytes = render_shinseisho(d.filing, counts);
    env.sink.write(d);
}

}  // namespace

void add_csv_cases(std::vector<InvalidCase>& cases) {
    for (auto* f : {utf8_csv, lf_line_ends, nul_byte, invalid_byte})
        cases.push_back({"E-CSV-ENCODING", f});
    add_structure_cases(cases);
    cases.push_back({"E-CSV-FORM", unknown_form});
    cases.push_back({"E-CSV-FORM", [](CaseEnv& env) {
                         wrong_field_count(env, "2200700", false, "2200700 record with 33 fields");
                     }});
    cases.push_back({"E-CSV-FORM", [](CaseEnv& env) {
                         wrong_field_count(env, "2265700", true, "2265700 record with 22 fields");
                     }});
    add_field_cases(cases);
    for (auto* f : {count_off_by_one, counts_swapped})
        cases.push_back({"E-CSV-COUNT", f});
}

}  // namespace sekisho::sim::filings

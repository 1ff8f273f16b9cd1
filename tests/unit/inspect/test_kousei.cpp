// kousei.xml and the 申請書XML against their schemas, and kousei.xml against the folder.

#include <catch2/catch.hpp>

#include "daemon/inspect/form_xml.hpp"
#include "daemon/inspect/kousei.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/safe_xml.hpp"
#include "daemon/inspect/xml_schema.hpp"

using namespace sekisho::inspect;

namespace {

const std::string kProcedure = "950A00000000TEST";
const std::string kFormId = "495100022007001234";
const std::string kFormFile = kFormId + "_01.xml";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

std::string listed(const std::string& name) {
    return "    <添付書類属性情報><添付種別>添付書類</添付種別><名称>資料</名称><ファイル名称>" +
           name + "</ファイル名称></添付書類属性情報>\n";
}

std::string kousei_xml(const std::vector<std::string>& attachments = {"KPFD0006.CSV"}) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataRoot>\n"
        "  <様式ID>999000000000000001</様式ID><様式バージョン>0001</様式バージョン>\n"
        "  <STYLESHEET>999000000000000001.xsl</STYLESHEET>\n"
        "  <構成情報 ID=\"構成情報\">\n    <管理情報>\n"
        "      <手続番号><受付行政機関ID>100495</受付行政機関ID><手続ID>" +
        kProcedure +
        "</手続ID></手続番号>\n"
        "      <手続名称>健康保険・厚生年金保険被保険者資格取得届</手続名称>"
        "<申請種別>新規申請</申請種別>\n"
        "      <申請者情報><事業所記号>ｱｲｳ</事業所記号><事業所番号>00123</事業所番号>"
        "<名称>試験商事株式会社</名称></申請者情報>\n    </管理情報>\n"
        "    <申請書属性情報><申請書様式ID>" +
        kFormId +
        "</申請書様式ID><様式バージョン>0001</様式バージョン>\n"
        "      <様式名称>届書総括票</様式名称><ファイル名称>" +
        kFormFile + "</ファイル名称></申請書属性情報>\n";
    for (const auto& a : attachments)
        xml += listed(a);
    return xml + "  </構成情報>\n  <署名情報></署名情報>\n</DataRoot>\n";
}

std::string form_xml_text(const std::string& counts =
                              "<届書件数 様式コード=\"2200700\">2</届書件数>"
                              "<届書件数 様式コード=\"2201700\">1</届書件数>") {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataRoot>\n<様式ID>" + kFormId +
           "</様式ID><様式バージョン>0001</様式バージョン>\n"
           "<STYLESHEET>" +
           kFormId +
           ".xsl</STYLESHEET><様式コピー情報>0</様式コピー情報>\n"
           "<届書総括票><提出年月日>2026-11-24</提出年月日><事業所記号>ｱｲｳ</事業所記号>"
           "<事業所番号>00123</事業所番号>\n" +
           counts + "</届書総括票>\n</DataRoot>\n";
}

struct Read {
    XmlDoc doc;
    std::optional<Kousei> kousei;
    Verdict verdict;
};

Read read(const std::string& xml) {
    Read r;
    r.doc = parse_untrusted_xml(xml, "kousei.xml", r.verdict);
    REQUIRE(r.doc);
    r.kousei = read_kousei(r.doc.get(), r.verdict);
    return r;
}

Package package_of(const std::vector<std::string>& names) {
    Package p;
    p.folder = kProcedure + "(1)";
    p.procedure_id = kProcedure;
    for (const auto& n : names)
        p.entries.push_back({n, ""});
    return p;
}

const std::vector<std::string> kFiles{"kousei.xml", kFormFile, "KPFD0006.CSV"};

std::set<std::string> structure_codes(const std::vector<std::string>& files,
                                      const std::string& kousei = kousei_xml()) {
    Read r = read(kousei);
    check_structure(package_of(files), r.kousei, r.verdict);
    return r.verdict.codes();
}

struct FormRead {
    std::optional<FormXml> form;
    Verdict verdict;
};

FormRead read_form(const std::string& xml, const std::string& name = kFormFile) {
    FormRead r;
    const XmlDoc doc = parse_untrusted_xml(xml, name, r.verdict);
    REQUIRE(doc);
    r.form = read_form_xml(doc.get(), name, r.verdict);
    return r;
}

const std::set<std::string> kSchema{"E-XML-SCHEMA"};
const std::set<std::string> kStructure{"E-ZIP-STRUCTURE"};

}  // namespace

TEST_CASE("both embedded schemas compile", "[kousei][schema]") {
    CHECK_NOTHROW(load_schemas());
}

TEST_CASE("a valid kousei.xml is read", "[kousei]") {
    const Read r = read(kousei_xml({"KPFD0006.CSV", "attach01.pdf"}));
    CHECK(r.verdict.accepted());
    REQUIRE(r.kousei);
    CHECK(r.kousei->procedure_id == kProcedure);
    CHECK(r.kousei->form_id == kFormId);
    CHECK(r.kousei->form_file == kFormFile);
    CHECK(r.kousei->attachment_files == std::vector<std::string>{"KPFD0006.CSV", "attach01.pdf"});
}

TEST_CASE("kousei.xml against its schema", "[kousei][schema]") {
    const std::string xml =
        GENERATE(replaced(kousei_xml(), "<申請種別>新規申請</申請種別>", ""),
                 replaced(kousei_xml(), "    </管理情報>", "<備考>至急</備考></管理情報>"),
                 replaced(kousei_xml(), "<様式ID>999000000000000001", "<様式ID>999000000000000002"),
                 replaced(kousei_xml(), "ID=\"構成情報\"", "ID=\"other\""),
                 replaced(kousei_xml(), "<手続ID>" + kProcedure, "<手続ID>950a00000000test"),
                 replaced(kousei_xml(), kFormFile + "</ファイル名称>", "form.xml</ファイル名称>"),
                 replaced(kousei_xml(), "<署名情報></署名情報>", "<署名情報><x/></署名情報>"),
                 replaced(kousei_xml(), "<DataRoot>", "<DataRoot xmlns=\"urn:x\">"));
    const Read r = read(xml);
    CHECK(r.verdict.codes() == kSchema);
    CHECK_FALSE(r.kousei);
    for (const auto& reason : r.verdict.reasons()) {
        CHECK(reason.where.starts_with("kousei.xml:"));
        CHECK(reason.detail.find("至急") == std::string::npos);
    }
}

TEST_CASE("a signature element in 署名情報 is left to the signature check", "[kousei][schema]") {
    const Read r = read(replaced(kousei_xml(), "<署名情報></署名情報>",
                                 "<署名情報><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/"
                                 "xmldsig#\"><anything/></ds:Signature></署名情報>"));
    CHECK(r.verdict.accepted());
    CHECK(r.kousei);
}

TEST_CASE("a folder that agrees with kousei.xml passes", "[kousei][structure]") {
    CHECK(structure_codes(kFiles).empty());
    auto files = kFiles;
    files.push_back("attach01.pdf");
    CHECK(structure_codes(files, kousei_xml({"KPFD0006.CSV", "attach01.pdf"})).empty());
}

TEST_CASE("required files are E-ZIP-STRUCTURE when missing", "[kousei][structure]") {
    CHECK(structure_codes({kFormFile, "KPFD0006.CSV"}) == kStructure);
    CHECK(structure_codes({"kousei.xml", kFormFile}) == kStructure);
    CHECK(structure_codes({"kousei.xml", "KPFD0006.CSV"}) == kStructure);
    Verdict v;
    check_structure(package_of({"kousei.xml"}), std::nullopt, v);
    CHECK(v.codes() == kStructure);
}

TEST_CASE("structure reasons do not echo the procedure id", "[kousei][structure]") {
    Package p = package_of({"495100022007001234_01.xml"});
    p.procedure_id = "950123456789012A";
    p.folder = p.procedure_id + "(1)";
    Verdict v;
    check_structure(p, std::nullopt, v);
    REQUIRE(v.codes() == kStructure);
    for (const auto& r : v.reasons()) {
        CHECK(r.where.find("123456789012") == std::string::npos);
        CHECK(r.where.find("495100022007001234") == std::string::npos);
    }
}

TEST_CASE("listed and present files must agree", "[kousei][structure]") {
    auto with_extra = kFiles;
    with_extra.push_back("extra01.pdf");
    CHECK(structure_codes(with_extra) == kStructure);  // present, not listed
    CHECK(structure_codes(kFiles, kousei_xml({"KPFD0006.CSV", "attach01.pdf"})) ==
          kStructure);  // listed, not present
    CHECK(structure_codes(kFiles, kousei_xml({"KPFD0006.CSV", "KPFD0006.CSV"})) == kStructure);
    CHECK(structure_codes(kFiles, kousei_xml({"KPFD0006.CSV", "kousei.xml"})) == kStructure);
    auto two_forms = kFiles;
    two_forms.push_back("495100022007009999_01.xml");
    CHECK(structure_codes(two_forms).count("E-ZIP-STRUCTURE") == 1);
    auto other_xml = kFiles;
    other_xml.push_back("extra.xml");
    CHECK(structure_codes(other_xml) == kStructure);
}

TEST_CASE("手続ID and the 申請書XML must match the folder", "[kousei][structure]") {
    CHECK(structure_codes(kFiles, replaced(kousei_xml(), "<手続ID>" + kProcedure,
                                           "<手続ID>950A00000000ZZZZ")) == kSchema);
    const std::string other_form = "495100022007005678";
    CHECK(structure_codes(kFiles, replaced(kousei_xml(), "<申請書様式ID>" + kFormId,
                                           "<申請書様式ID>" + other_form)) == kSchema);
    const std::string renamed = replaced(kousei_xml(), kFormFile + "</ファイル名称>",
                                         other_form + "_01.xml</ファイル名称>");
    CHECK(structure_codes(kFiles, renamed) ==
          std::set<std::string>{"E-XML-SCHEMA", "E-ZIP-STRUCTURE"});
}

TEST_CASE("the 申請書XML gives its form id and counts", "[form]") {
    const FormRead r = read_form(form_xml_text());
    CHECK(r.verdict.accepted());
    REQUIRE(r.form);
    CHECK(r.form->form_id == kFormId);
    CHECK(r.form->counts == std::map<std::string, long>{{"2200700", 2}, {"2201700", 1}});
}

TEST_CASE("the 申請書XML against its schema and its file name", "[form][schema]") {
    const FormRead wrong_id = read_form(form_xml_text(), "495100000000000000_01.xml");
    CHECK(wrong_id.verdict.codes() == kSchema);
    const std::string xml =
        GENERATE(replaced(form_xml_text(), "<様式コピー情報>0<", "<様式コピー情報>2<"),
                 replaced(form_xml_text(), "2026-11-24", "2026-02-30"),
                 replaced(form_xml_text(), ">2</届書件数>", ">0</届書件数>"),
                 replaced(form_xml_text(), "\"2201700\"", "\"2200700\""), form_xml_text(""),
                 replaced(form_xml_text(), "</届書総括票>", "<入れ子/></届書総括票>"));
    const FormRead r = read_form(xml);
    CHECK(r.verdict.codes() == kSchema);
    CHECK_FALSE(r.form);
}

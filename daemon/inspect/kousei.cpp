#include "daemon/inspect/kousei.hpp"

#include <regex>
#include <set>

#include "daemon/inspect/entry_names.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/xml_schema.hpp"
#include "daemon/inspect/xml_tree.hpp"

namespace sekisho::inspect {
namespace {

constexpr std::string_view kKousei = "kousei.xml";
constexpr std::string_view kCsv = "KPFD0006.CSV";
constexpr std::size_t kFormIdLength = 18;

bool is_form_file(std::string_view name) {
    static const std::regex pattern("[0-9]{18}_01\\.xml");
    return std::regex_match(name.begin(), name.end(), pattern);
}

std::vector<std::string> form_files(const Package& package) {
    std::vector<std::string> out;
    for (const auto& e : package.entries) {
        if (is_form_file(e.name))
            out.push_back(e.name);
    }
    return out;
}

void check_required(const Package& package, Verdict& verdict) {
    if (package.find(kKousei) == nullptr)
        verdict.add(code::zip_structure, "folder", "kousei.xml missing");
    if (package.find(kCsv) == nullptr)
        verdict.add(code::zip_structure, "folder", "KPFD0006.CSV missing");
    if (form_files(package).size() != 1)
        verdict.add(code::zip_structure, "folder", "not exactly one 申請書XML <form_id>_01.xml");
    for (const auto& e : package.entries) {
        if (e.name.ends_with(".xml") && e.name != kKousei && !is_form_file(e.name))
            verdict.add(code::zip_structure, file_label(e.name),
                        "XML file that is neither kousei.xml nor a 申請書XML");
    }
}

// kousei.xml's listing against the folder, and its ids against the folder and form file.
void check_listing(const Package& package, const Kousei& k, Verdict& verdict) {
    if (k.procedure_id != package.procedure_id)
        verdict.add(code::xml_schema, "kousei.xml /DataRoot/構成情報/管理情報/手続番号/手続ID",
                    "手続ID differs from the folder's procedure_id");
    const auto forms = form_files(package);
    if (forms.size() == 1 &&
        (k.form_file != forms.front() || k.form_id != forms.front().substr(0, kFormIdLength)))
        verdict.add(code::xml_schema, "kousei.xml /DataRoot/構成情報/申請書属性情報",
                    "申請書様式ID or ファイル名称 disagrees with the 申請書XML file");
    std::multiset<std::string> listed(k.attachment_files.begin(), k.attachment_files.end());
    listed.insert(k.form_file);
    for (const auto& name : listed) {
        if (listed.count(name) > 1)
            verdict.add(code::zip_structure, "kousei.xml", "a file listed more than once");
        if (package.find(name) == nullptr || name == kKousei)
            verdict.add(code::zip_structure, "kousei.xml",
                        "a listed file is kousei.xml or not in the folder");
    }
    for (const auto& e : package.entries) {
        if (e.name != kKousei && listed.count(e.name) == 0)
            verdict.add(code::zip_structure, file_label(e.name), "file not listed in kousei.xml");
    }
}

}  // namespace

std::optional<Kousei> read_kousei(xmlDoc* doc, Verdict& verdict) {
    if (!validate_schema(doc, Schema::kousei, kKousei, verdict))
        return std::nullopt;
    xmlNode* info = child_element(xmlDocGetRootElement(doc), "構成情報");
    xmlNode* form = child_element(info, "申請書属性情報");
    Kousei k;
    k.procedure_id = element_text(
        child_element(child_element(child_element(info, "管理情報"), "手続番号"), "手続ID"));
    k.form_id = element_text(child_element(form, "申請書様式ID"));
    k.form_file = element_text(child_element(form, "ファイル名称"));
    for (xmlNode* a : child_elements(info, "添付書類属性情報"))
        k.attachment_files.push_back(element_text(child_element(a, "ファイル名称")));
    return k;
}

void check_structure(const Package& package, const std::optional<Kousei>& kousei,
                     Verdict& verdict) {
    check_required(package, verdict);
    if (kousei)
        check_listing(package, *kousei, verdict);
}

}  // namespace sekisho::inspect

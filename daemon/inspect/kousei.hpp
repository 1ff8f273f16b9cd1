#pragma once
// kousei.xml (構成管理XML, spec §2) and its agreement with the folder (spec §1).

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

struct Kousei {
    std::string form_id;                        // 申請書様式ID
    std::string procedure_id;                   // 手続ID
    std::string form_file;                      // 申請書属性情報/ファイル名称
    std::vector<std::string> attachment_files;  // every 添付書類属性情報/ファイル名称, in order
};

// Validates against the schema and reads what the other checks need; adds E-XML-SCHEMA.
std::optional<Kousei> read_kousei(xmlDoc* doc, Verdict& verdict);

// Required files, listed files against present files, 手続ID against the folder.
void check_structure(const Package& package, const std::optional<Kousei>& kousei, Verdict& verdict);

}  // namespace sekisho::inspect

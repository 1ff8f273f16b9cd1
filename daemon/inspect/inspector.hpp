#pragma once
// The whole inspection of one package (spec/filing-package.md §1–§5). Runs inside the
// sandboxed worker; never call it on untrusted bytes in the daemon itself.

#include <string_view>

#include "daemon/inspect/options.hpp"
#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

struct Inspection {
    Verdict verdict;
    std::vector<Entry> entries;  // the inflated entries, for the virus scan; empty if unreadable
    std::vector<std::string>
        forms;  // 様式コード of the 届書 it carries (届書件数), for release policies
};

Inspection inspect_package(std::string_view zip, const Options& options);

}  // namespace sekisho::inspect

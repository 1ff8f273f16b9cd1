#pragma once
// Shared by the generated-input tests: how a verdict is shown in a failure message, and
// what the privacy checks look for in it — no run of 12 or more digits (a 個人番号), and no
// non-ASCII text that is not written in the inspector's own sources (nothing copied from
// an input).

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/inspect/verdict.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

// Every fixed text the inspector can put into a verdict is written in its sources (and
// its schemas).
inline std::string inspector_sources() {
    std::string all;
    namespace fs = std::filesystem;
    for (const auto& e :
         fs::recursive_directory_iterator(fs::path(SEKISHO_SOURCE_DIR) / "daemon" / "inspect")) {
        const auto ext = e.path().extension();
        if (ext == ".cpp" || ext == ".hpp" || ext == ".xsd")
            all += read_file(e.path());
    }
    return all;
}

inline bool has_long_digit_run(std::string_view text) {
    std::size_t run = 0;
    for (const char c : text) {
        run = (c >= '0' && c <= '9') ? run + 1 : 0;
        if (run >= 12)
            return true;
    }
    return false;
}

// Maximal runs of non-ASCII bytes.
inline std::vector<std::string> non_ascii_runs(std::string_view text) {
    std::vector<std::string> out;
    std::string run;
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            run += c;
        } else if (!run.empty()) {
            out.push_back(std::move(run));
            run.clear();
        }
    }
    if (!run.empty())
        out.push_back(run);
    return out;
}

inline std::string joined(const std::set<std::string>& codes) {
    std::string out;
    for (const auto& c : codes)
        out += (out.empty() ? "" : " ") + c;
    return out.empty() ? "(none)" : out;
}

inline std::string reasons_text(const inspect::Verdict& v) {
    std::ostringstream out;
    for (const auto& r : v.reasons())
        out << "\n    " << r.code << " at " << r.where << ": " << r.detail;
    return out.str();
}

}  // namespace sekisho::test

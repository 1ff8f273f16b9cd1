#pragma once
// A filing package after the ZIP container was read: its one folder and its files, fully
// inflated in memory (bounded by the limits), in ZIP order.

#include <string>
#include <string_view>
#include <vector>

namespace sekisho::inspect {

struct Entry {
    std::string name;   // file name inside the folder, no folder prefix
    std::string bytes;  // inflated content
};

struct Package {
    std::string folder;        // "<procedure_id>(<n>)"
    std::string procedure_id;  // the 16 characters before "("
    std::vector<Entry> entries;

    const Entry* find(std::string_view name) const;  // exact name
};

}  // namespace sekisho::inspect

#include "daemon/inspect/package.hpp"

#include <algorithm>

namespace sekisho::inspect {

const Entry* Package::find(std::string_view name) const {
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [&](const Entry& e) { return e.name == name; });
    return it == entries.end() ? nullptr : &*it;
}

}  // namespace sekisho::inspect

#include "daemon/inspect/entry_names.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace sekisho::inspect {
namespace {

constexpr std::size_t kProcedureIdLength = 16;

bool allowed_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x80 && std::isalnum(u) != 0) || c == '.' || c == '_' || c == '(' || c == ')' ||
           c == '-';
}

bool upper_or_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

constexpr std::size_t kMaxEchoedDigits = 9;

std::size_t longest_digit_run(std::string_view s) {
    std::size_t longest = 0;
    std::size_t run = 0;
    for (const char c : s) {
        run = (c >= '0' && c <= '9') ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

}  // namespace

std::string file_label(std::string_view name) {
    if (name.size() == 25 && name.ends_with("_01.xml") && longest_digit_run(name) == 18)
        return "申請書XML";
    if (longest_digit_run(name) > kMaxEchoedDigits)
        return "(file)";
    return std::string(name);
}

std::optional<std::string_view> entry_name_fault(std::string_view path) {
    if (path.empty())
        return "empty entry name";
    if (path.front() == '/')
        return "absolute entry name";
    if (path.find('\\') != std::string_view::npos)
        return "backslash in entry name";
    if (path.find("..") != std::string_view::npos)
        return "\"..\" in entry name";
    if (path.back() == '/')
        path.remove_suffix(1);
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = path.find('/', start);
        const std::string_view part = path.substr(start, slash - start);
        if (part.empty() || part == ".")
            return "empty or \".\" part in entry name";
        if (!std::all_of(part.begin(), part.end(), allowed_char))
            return "character outside [A-Za-z0-9._()-] in entry name";
        if (part.size() > kMaxEntryNameLength)
            return "entry name longer than 64 characters";
        if (slash == std::string_view::npos)
            return std::nullopt;
        start = slash + 1;
    }
}

std::optional<std::size_t> case_duplicate(const std::vector<std::string>& paths) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        std::string_view p = paths[i];
        if (p.ends_with('/'))
            p.remove_suffix(1);
        if (!seen.insert(lower_ascii(p)).second)
            return i;
    }
    return std::nullopt;
}

bool valid_folder_name(std::string_view folder) {
    if (folder.size() < kProcedureIdLength + 3 || folder.size() > kProcedureIdLength + 4 ||
        folder[kProcedureIdLength] != '(' || folder.back() != ')')
        return false;
    const std::string_view id = folder.substr(0, kProcedureIdLength);
    const std::string_view n =
        folder.substr(kProcedureIdLength + 1, folder.size() - kProcedureIdLength - 2);
    return std::all_of(id.begin(), id.end(), upper_or_digit) && n.front() != '0' &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace sekisho::inspect

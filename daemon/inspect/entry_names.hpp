#pragma once
// Entry names and the folder layout of a package (spec §1), judged on names alone.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::inspect {

inline constexpr std::size_t kMaxEntryNameLength = 64;

// Why an entry's full path (folder included, a trailing '/' for a directory) breaks the
// name rules: absolute, "..", backslash, a character outside [A-Za-z0-9._()-], an empty
// or over-long part. nullopt when it is acceptable.
std::optional<std::string_view> entry_name_fault(std::string_view path);

// The first name equal to an earlier one ignoring ASCII case, if any.
std::optional<std::size_t> case_duplicate(const std::vector<std::string>& paths);

// How a verdict names a file of the folder whose name passed the rules: the 申請書XML as
// "申請書XML" (its name is a long number), any name holding a long run of digits (which
// could be a personal number) as "(file)", every other name as it is.
std::string file_label(std::string_view name);

// `<procedure_id 16 [0-9A-Z]>(<n 1..99>)`.
bool valid_folder_name(std::string_view folder);

}  // namespace sekisho::inspect

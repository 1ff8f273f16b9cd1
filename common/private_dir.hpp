#pragma once
// A directory only this process's user may enter (state directory, certificate store):
// made 0700 when missing; an existing one must be a real directory, ours, and closed to
// group and others.

#include <filesystem>
#include <optional>
#include <string>

namespace sekisho {

// Why `dir` cannot serve as a private directory, or nullopt when it can.
std::optional<std::string> private_dir_problem(const std::filesystem::path& dir);

}  // namespace sekisho

#pragma once
// Strict loading of the TOML configuration: every problem is reported with the file,
// line, column and key, and all problems are collected, not only the first.

#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace sekisho::config {

// Which program reads the file decides which keys are required and which secrets and
// files are checked.
enum class Program { daemon, receiver, sender, control };

struct Problem {
    std::string where;  // "file:line:column", or just "file" when there is no position
    std::string key;    // "section.key", or empty for the file as a whole
    std::string message;
    std::string str() const;
};

struct LoadResult {
    std::optional<Settings> settings;  // set only when there are no errors
    std::vector<Problem> errors;
    std::vector<std::string> notes;  // things that could not be checked here, said plainly
    bool ok() const { return errors.empty(); }
};

LoadResult load_settings(const Path& file, Program program);

// Largest configuration file accepted.
inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

}  // namespace sekisho::config

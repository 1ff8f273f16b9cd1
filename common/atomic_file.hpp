#pragma once
// Replace a file so that readers see either the old or the new content, never a part,
// and the new content survives a crash once the call returns.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace sekisho {

// Writes to a temporary name in the same directory, fsyncs it, renames it over `path`
// and fsyncs the directory. Throws std::system_error naming the path on failure; the
// temporary file is removed then.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode = 0600);

// fsync of a directory, so a rename or create inside it is durable.
void fsync_directory(const std::filesystem::path& dir);

}  // namespace sekisho

#pragma once
// Internal to certs/: the file system steps of the certificate store. Not part of the
// interface.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

namespace sekisho::certs::detail {

// Creates `dir` 0700 when missing (parents must exist); throws std::runtime_error naming
// it when it is not a directory, not ours, or accessible by group or others.
void make_private_dir(const std::filesystem::path& dir);

// The bytes of `path` (never following a symlink), or nullopt when it does not exist.
// Throws std::runtime_error naming the path when it is larger than `max_size` or cannot be
// read. The buffer is wiped on every error path, since it may hold a key.
std::optional<std::vector<unsigned char>> read_limited(const std::filesystem::path& path,
                                                       std::size_t max_size);

// An exclusive flock(2) on `path` (created 0600), held for the object's life.
class FileLock {
  public:
    explicit FileLock(const std::filesystem::path& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace sekisho::certs::detail

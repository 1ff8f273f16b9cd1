#pragma once
// A private temporary directory removed with everything in it at scope exit.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace sekisho::test {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

// Writes `content` to `path` with exactly `mode` (umask does not apply).
void write_file(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);
std::string read_file(const std::filesystem::path& path);

// 32 random bytes, as `head -c 32 /dev/urandom` would give.
std::string random_key();

// The name of the user running the tests (the daemon must run as daemon.user).
std::string current_user();

}  // namespace sekisho::test

#pragma once
// The state directory belongs to exactly one running daemon: it is created private
// (0700) if missing, refused if others can reach into it, and locked with flock so a
// second daemon on the same state exits instead of racing the first.

#include <filesystem>

namespace sekisho::daemon {

class StateLock {
  public:
    // Throws std::runtime_error with the reason when the directory cannot be used.
    explicit StateLock(const std::filesystem::path& state_dir);
    ~StateLock();
    StateLock(const StateLock&) = delete;
    StateLock& operator=(const StateLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace sekisho::daemon

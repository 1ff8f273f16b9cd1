#pragma once
// A stand-in for the service manager's end of sd_notify: a datagram socket whose path is
// given to the daemon as NOTIFY_SOCKET, recording every message it receives.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::test {

class NotifySocket {
  public:
    explicit NotifySocket(std::filesystem::path path);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Waits until a message containing `line` (e.g. "READY=1") arrives; true if it did.
    bool wait_for(std::string_view line, std::chrono::milliseconds timeout);
    const std::vector<std::string>& messages() const { return messages_; }

  private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::size_t consumed_ = 0;  // messages already matched by wait_for
    std::vector<std::string> messages_;
};

}  // namespace sekisho::test

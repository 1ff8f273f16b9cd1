#pragma once
// A stand-in for clamd on a Unix socket that misbehaves on purpose: it stays silent, or
// answers every command with fixed bytes, or hangs up without a word. Real clamd cannot
// be made to do these, and the client must not take any of them for a clean scan.

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

namespace sekisho::test {

struct FakeBehaviour {
    bool silent = false;  // accept, never read, never answer, until the fake is destroyed
    // Sent after the whole request has been read, then the connection is closed. Empty:
    // close without a reply.
    std::string reply;
    std::string version_reply;  // for zVERSION; `reply` when empty
    bool early = false;         // reply after the command, before reading any INSTREAM data
};

class FakeClamd {
  public:
    FakeClamd(std::filesystem::path socket_path, FakeBehaviour behaviour);
    ~FakeClamd();
    FakeClamd(const FakeClamd&) = delete;
    FakeClamd& operator=(const FakeClamd&) = delete;

    const std::filesystem::path& socket_path() const { return path_; }
    int connections() const { return connections_.load(); }

  private:
    void serve();
    void handle(int fd);
    // Reads one z-command and, for zINSTREAM, its chunks up to the zero-length end.
    // Returns the command ("zINSTREAM"), or empty if the stop pipe fired or the peer left.
    std::string read_request(int fd, bool command_only);
    bool wait_readable(int fd);

    std::filesystem::path path_;
    FakeBehaviour behaviour_;
    int listen_fd_ = -1;
    int stop_[2] = {-1, -1};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

}  // namespace sekisho::test

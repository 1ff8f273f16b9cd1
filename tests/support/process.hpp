#pragma once
// Running the project's programs from tests as real processes.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sekisho::test {

struct Completed {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
};

// Path of a program built by this project (build/bin/NAME).
std::filesystem::path program(const std::string& name);

// Runs to completion with extra environment variables (an empty value unsets one).
// With `input`, standard input is a file holding exactly those bytes (not a terminal);
// without, it is the test's own.
Completed run(const std::vector<std::string>& argv,
              const std::map<std::string, std::string>& env = {},
              const std::optional<std::string>& input = std::nullopt);

// Like run(), but throws std::runtime_error naming the command, its exit code, its stdout
// and its stderr when it does not exit 0.
Completed run_checked(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {},
                      const std::optional<std::string>& input = std::nullopt);

// The absolute path of a system tool (`ip`, `swanctl`, ...) found in PATH, then in
// /usr/sbin, /usr/bin, /sbin and /bin: root's tools live in sbin, which a test runner's PATH
// may lack, and run() and Child do not search PATH. Empty when it is nowhere.
std::string find_system_tool(const std::string& name);
// The same, throwing std::runtime_error when the tool is missing.
std::string system_tool(const std::string& name);

// A started process whose stderr goes to a file, stopped with SIGKILL if still running
// when the object dies.
class Child {
  public:
    Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          const std::filesystem::path& stderr_file);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signo) const;
    // Exit code once it ends (-1 for a signal); nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();

  private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

}  // namespace sekisho::test

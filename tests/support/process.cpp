#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sekisho::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRunTimeout = std::chrono::seconds(120);

std::vector<std::string> environment(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        if (!overrides.contains(name))
            env.push_back(entry);
    }
    for (const auto& [k, v] : overrides) {
        if (!v.empty())
            env.push_back(k + "=" + v);
    }
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// In the child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(std::vector<std::string> argv, std::vector<std::string> env) {
    auto args = pointers(argv);
    auto envp = pointers(env);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
}

int decode(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void drain(int fd, std::string& out, bool& open) {
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
        out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
        open = false;
    }
}

}  // namespace

std::filesystem::path program(const std::string& name) {
    return std::filesystem::path(SEKISHO_BIN_DIR) / name;
}

Completed run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::optional<std::string>& input) {
    // Standard input from an in-memory file: no pipe that could fill up or raise SIGPIPE.
    int in_fd = -1;
    if (input) {
        in_fd = ::memfd_create("stdin", MFD_CLOEXEC);
        if (in_fd < 0)
            throw std::runtime_error("memfd_create failed");
        std::size_t done = 0;
        while (done < input->size()) {
            const ssize_t n = ::write(in_fd, input->data() + done, input->size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                ::close(in_fd);
                throw std::runtime_error("cannot write the standard input file");
            }
            done += static_cast<std::size_t>(n);
        }
        ::lseek(in_fd, 0, SEEK_SET);
    }
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    auto full_env = environment(env);
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (in_fd >= 0)
            ::dup2(in_fd, STDIN_FILENO);
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::dup2(err_pipe[1], STDERR_FILENO);
        exec_child(argv, full_env);
    }
    if (in_fd >= 0)
        ::close(in_fd);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    Completed result;
    bool out_open = true;
    bool err_open = true;
    const auto deadline = Clock::now() + kRunTimeout;
    while ((out_open || err_open) && Clock::now() < deadline) {
        pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
        if (::poll(fds, 2, 1000) <= 0)
            continue;
        if (out_open && (fds[0].revents & (POLLIN | POLLHUP)))
            drain(out_pipe[0], result.out, out_open);
        if (err_open && (fds[1].revents & (POLLIN | POLLHUP)))
            drain(err_pipe[0], result.err, err_open);
    }
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    if (out_open || err_open)
        ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = decode(status);
    return result;
}

Completed run_checked(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env,
                      const std::optional<std::string>& input) {
    auto done = run(argv, env, input);
    if (done.exit_code != 0) {
        std::string line;
        for (const auto& a : argv)
            line += (line.empty() ? "" : " ") + a;
        throw std::runtime_error("`" + line + "` failed (exit " + std::to_string(done.exit_code) +
                                 "): " + done.out + done.err);
    }
    return done;
}

std::string find_system_tool(const std::string& name) {
    std::string dirs = "/usr/sbin:/usr/bin:/sbin:/bin";
    if (const char* path = std::getenv("PATH"))
        dirs = std::string(path) + ":" + dirs;
    std::istringstream in(dirs);
    for (std::string dir; std::getline(in, dir, ':');) {
        const auto candidate = std::filesystem::path(dir) / name;
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
    }
    return {};
}

std::string system_tool(const std::string& name) {
    auto path = find_system_tool(name);
    if (path.empty())
        throw std::runtime_error(name + " not found (PATH, /usr/sbin, /sbin)");
    return path;
}

Child::Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& stderr_file) {
    auto full_env = environment(env);
    const int fd = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot open " + stderr_file.string());
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(fd, STDERR_FILENO);
        exec_child(argv, full_env);
    }
    ::close(fd);
}

Child::~Child() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds(10));
    }
}

void Child::signal(int signo) const {
    ::kill(pid_, signo);
}

bool Child::running() {
    if (status_)
        return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_)
        status_ = decode(status);
    return !status_;
}

std::optional<int> Child::wait(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (running()) {
        if (Clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

}  // namespace sekisho::test

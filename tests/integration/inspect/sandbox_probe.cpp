// Test-only program: applies the inspection worker's sandbox (unless --no-sandbox) and then
// tries what a compromised parser would try, printing one line per attempt:
// "<name> allowed" or "<name> refused <errno name>", then "done", then tries execve
// (which, when allowed, ends the probe with /bin/true). The test reads the lines.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "daemon/inspect/sandbox.hpp"

namespace {

void report(const char* name, bool ok, int err) {
    if (ok)
        std::printf("%s allowed\n", name);
    else
        std::printf("%s refused %s\n", name, err == EPERM ? "EPERM" : std::strerror(err));
    std::fflush(stdout);
}

// errno is read after the call (argument evaluation order is unspecified).
void try_call(const char* name, bool ok) {
    report(name, ok, errno);
}

void try_fd(const char* name, int fd) {
    const int err = errno;
    report(name, fd >= 0, err);
    if (fd >= 0)
        ::close(fd);
}

void try_fork() {
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    const int err = errno;
    if (pid > 0)
        ::waitpid(pid, nullptr, 0);
    report("fork", pid > 0, err);
}

void try_execve() {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* envp[] = {nullptr};
    ::execve("/bin/true", argv, envp);  // returns only when refused
    report("execve", false, errno);
}

void try_raise_limit() {
    rlimit r{};
    ::getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = r.rlim_max + 1;
    r.rlim_max = r.rlim_max + 1;
    try_call("setrlimit", ::setrlimit(RLIMIT_NOFILE, &r) == 0);
}

}  // namespace

// argv: [--no-sandbox] WRITE_PATH READ_PATH
int main(int argc, char** argv) {
    const bool sandbox = !(argc > 1 && std::string_view(argv[1]) == "--no-sandbox");
    const int first = sandbox ? 1 : 2;
    if (argc != first + 2) {
        std::fprintf(stderr, "usage: sandbox_probe [--no-sandbox] WRITE_PATH READ_PATH\n");
        return 2;
    }
    const char* write_path = argv[first];
    const char* read_path = argv[first + 1];
    // A descriptor inherited from before the sandbox must not survive it.
    const int inherited = ::open(read_path, O_RDONLY);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0 || inherited < 0)
        return 2;
    if (sandbox) {
        try {
            sekisho::inspect::apply_sandbox(pair[1], {});
        } catch (const std::exception& e) {
            std::fprintf(stderr, "sandbox: %s\n", e.what());
            return 3;
        }
    }
    char byte = 0;
    try_call("inherited-fd", ::pread(inherited, &byte, 1, 0) == 1);
    try_call("kept-socket", ::fcntl(pair[1], F_GETFL) != -1);
    try_call("other-socket", ::fcntl(pair[0], F_GETFL) != -1);
    try_fd("socket", ::socket(AF_INET, SOCK_STREAM, 0));
    try_fd("socket-unix", ::socket(AF_UNIX, SOCK_STREAM, 0));
    int more[2];
    try_call("socketpair", ::socketpair(AF_UNIX, SOCK_STREAM, 0, more) == 0);
    try_fd("open-write", ::open(write_path, O_WRONLY | O_CREAT, 0600));
    try_fd("open-read", ::open(read_path, O_RDONLY));
    struct stat st {};
    try_call("stat-path", ::stat(read_path, &st) == 0);
    try_call("fstat", ::fstat(1, &st) == 0);
    try_call("kill-parent", ::kill(::getppid(), 0) == 0);
    try_call("make-dumpable", ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
    try_fork();
    try_raise_limit();
    std::printf("done\n");
    std::fflush(stdout);
    try_execve();  // last: without the sandbox it replaces the probe
    ::_exit(0);    // no atexit handlers: a sanitizer's leak check would need ptrace
}

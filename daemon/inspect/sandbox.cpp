#include "daemon/inspect/sandbox.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sekisho::inspect {
namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), std::string("sandbox: ") + what);
}

std::uint64_t current_address_space() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    if (!(statm >> pages))
        throw std::runtime_error("sandbox: cannot read /proc/self/statm");
    return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

void set_limit(int resource, rlim_t value, const char* what) {
    const rlimit r{value, value};
    if (::setrlimit(resource, &r) != 0)
        fail(what);
}

void set_limits(const SandboxLimits& limits) {
    const std::uint64_t as = current_address_space() + limits.address_space;
    set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
    set_limit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE");
    set_limit(RLIMIT_NOFILE, 8, "RLIMIT_NOFILE");
    set_limit(RLIMIT_NPROC, 0, "RLIMIT_NPROC");
    set_limit(RLIMIT_AS, static_cast<rlim_t>(as), "RLIMIT_AS");
}

void close_other_fds(int keep_fd) {
    if (keep_fd < 3)
        throw std::invalid_argument("sandbox: the kept descriptor must be 3 or higher");
    if (keep_fd > 3 && ::close_range(3, static_cast<unsigned>(keep_fd) - 1, 0) != 0)
        fail("close_range");
    if (::close_range(static_cast<unsigned>(keep_fd) + 1, ~0u, 0) != 0)
        fail("close_range");
}

struct SeccompRelease {
    void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, SeccompRelease>;

void check(int rc, const char* what) {
    if (rc < 0)
        throw std::system_error(-rc, std::generic_category(), std::string("seccomp: ") + what);
}

void allow(scmp_filter_ctx ctx, int nr) {
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0), "rule");
}

// What glibc, libstdc++, libxml2, xmlsec/OpenSSL, libarchive and the sanitizers' runtime
// need once initialised, for computing on memory and talking over existing descriptors.
// clang-format off
constexpr int kAllowed[] = {
    // the kept descriptors: the socket, stderr, /dev/null
    SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64), SCMP_SYS(write), SCMP_SYS(writev),
    SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(close),
    SCMP_SYS(fstat), SCMP_SYS(lseek), SCMP_SYS(fcntl),
    // memory
    SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
    SCMP_SYS(madvise),
    // signals, futexes, exit
    SCMP_SYS(futex), SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
    SCMP_SYS(sigaltstack), SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
    SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
    // identity, time, randomness: answers only
    SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
    SCMP_SYS(getegid), SCMP_SYS(uname), SCMP_SYS(getrusage), SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(nanosleep),
    SCMP_SYS(clock_nanosleep), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
    SCMP_SYS(getrandom),
    // the sanitizers' runtime reads /proc/self/exe's name in its reports
    SCMP_SYS(readlink), SCMP_SYS(readlinkat),
};
// clang-format on

void add_conditional_rules(scmp_filter_ctx ctx) {
    // Reading limits, never changing them.
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2, SCMP_A0(SCMP_CMP_EQ, 0),
                           SCMP_A2(SCMP_CMP_EQ, 0)),
          "prlimit64");
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getrlimit), 0), "getrlimit");
    // fstat() on a descriptor (glibc's is newfstatat(fd, "", AT_EMPTY_PATH)), never a path.
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
                           SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)),
          "newfstatat");
    // prctl for the runtime's queries, but the worker cannot make itself dumpable again.
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
                           SCMP_A0(SCMP_CMP_NE, PR_SET_DUMPABLE)),
          "prctl");
    // isatty() on stderr.
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS)),
          "ioctl");
    // abort() and sanitizer reports signal the process itself, nobody else.
    const auto self = static_cast<scmp_datum_t>(::getpid());
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, self)),
          "tgkill");
    check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_EQ, self)),
          "kill");
}

void install_filter() {
    Filter ctx(seccomp_init(SCMP_ACT_ERRNO(EPERM)));
    if (!ctx)
        throw std::runtime_error("seccomp: cannot create a filter");
    for (const int nr : kAllowed)
        allow(ctx.get(), nr);
#if defined(__SANITIZE_ADDRESS__)
    // Sanitizer builds only: UBSan's vptr check tests whether memory is readable by
    // writing it into a pipe, and reports a false "invalid vptr" when it cannot.
    allow(ctx.get(), SCMP_SYS(pipe));
    allow(ctx.get(), SCMP_SYS(pipe2));
#endif
    add_conditional_rules(ctx.get());
    check(seccomp_load(ctx.get()), "load");
}

}  // namespace

void apply_sandbox(int keep_fd, const SandboxLimits& limits) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("PR_SET_NO_NEW_PRIVS");
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fail("PR_SET_DUMPABLE");
    set_limits(limits);
    close_other_fds(keep_fd);
    install_filter();
}

}  // namespace sekisho::inspect

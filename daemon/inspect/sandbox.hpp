#pragma once
// The inspection worker's sandbox, applied after the libraries are initialised and before
// the first request is read. What remains possible afterwards: reading and writing the
// descriptors it keeps (the socket and stderr), memory management, time, and exiting.
//
// - PR_SET_NO_NEW_PRIVS; RLIMIT_CORE 0 (no core file with package bytes), RLIMIT_FSIZE 0,
//   RLIMIT_NOFILE 8, RLIMIT_NPROC 0, and RLIMIT_AS: the address space at the time of the
//   call plus `address_space` (so that a sanitizer's reserved shadow memory does not count,
//   and the limit means the same with and without ASan).
// - Every descriptor is closed except `keep_fd` and 0..2 (the worker's stdin/stdout are
//   /dev/null and stderr is the daemon's, for sanitizer and fatal-error reports).
// - A seccomp filter (libseccomp) that allows a short list of system calls and makes every
//   other one fail with EPERM: no open/openat at all (the schemas are compiled in, CP932 is
//   decoded without iconv, the time zone is loaded during init), no socket, connect, bind, listen,
//   accept, no execve, fork, clone or ptrace, no kill of another process, no setrlimit.
//   EPERM rather than kill: a library that probes a call keeps working, and the tests can
//   tell each refusal apart. Other architectures' system calls kill the process.

#include <cstdint>

namespace sekisho::inspect {

struct SandboxLimits {
    std::uint64_t address_space = 1024ull * 1024 * 1024;
};

// Throws std::system_error (or std::runtime_error for seccomp) when any step fails; the
// caller must then exit rather than run unconfined.
void apply_sandbox(int keep_fd, const SandboxLimits& limits);

}  // namespace sekisho::inspect

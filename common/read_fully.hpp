#pragma once
// Reading a small file whole into a caller's buffer (keys, certificates): read(2) until the
// buffer is full or the file ends, EINTR retried. A caller that wants to detect a file over
// its limit passes a buffer one byte larger than the limit.

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <span>

namespace sekisho {

struct ReadOutcome {
    std::size_t got = 0;  // bytes read into the buffer
    int error = 0;        // errno of a failed read, 0 when none
};

inline ReadOutcome read_fully(int fd, std::span<unsigned char> buf) {
    ReadOutcome r;
    while (r.got < buf.size()) {
        const ssize_t n = ::read(fd, buf.data() + r.got, buf.size() - r.got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r.error = errno;
            return r;
        }
        if (n == 0)
            break;
        r.got += static_cast<std::size_t>(n);
    }
    return r;
}

}  // namespace sekisho

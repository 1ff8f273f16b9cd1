#include "daemon/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common/private_dir.hpp"

namespace sekisho::daemon {
namespace {

[[noreturn]] void fail(const std::filesystem::path& dir, const std::string& why) {
    throw std::runtime_error("state directory " + dir.string() + ": " + why);
}

}  // namespace

StateLock::StateLock(const std::filesystem::path& dir) {
    if (const auto problem = private_dir_problem(dir))
        fail(dir, *problem);
    const auto lock_path = dir / "sekishod.lock";
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0)
        fail(dir, std::string("cannot open lock file: ") + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        fail(dir, err == EWOULDBLOCK ? "another sekishod is running on it"
                                     : std::string("cannot lock: ") + std::strerror(err));
    }
}

StateLock::~StateLock() {
    if (fd_ >= 0)
        ::close(fd_);
}

}  // namespace sekisho::daemon

#include "certs/store_files.hpp"
#include "common/private_dir.hpp"
#include "common/read_fully.hpp"
#include "common/unique_fd.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sekisho::certs::detail {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& why) {
    throw std::runtime_error("certificate store: " + path.string() + ": " + why);
}

// Reads at most buf.size() bytes; the caller's buffer is one larger than the limit, so a
// full buffer means the file is too large.
std::size_t read_into(int fd, std::vector<unsigned char>& buf, const std::filesystem::path& path) {
    const auto r = read_fully(fd, buf);
    if (r.error != 0) {
        OPENSSL_cleanse(buf.data(), buf.size());
        fail(path, std::string("cannot read: ") + std::strerror(r.error));
    }
    return r.got;
}

}  // namespace

void make_private_dir(const std::filesystem::path& dir) {
    if (const auto problem = private_dir_problem(dir))
        fail(dir, *problem);
}

std::optional<std::vector<unsigned char>> read_limited(const std::filesystem::path& path,
                                                       std::size_t max_size) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0 && errno == ENOENT)
        return std::nullopt;
    if (fd.get() < 0)
        fail(path, std::string("cannot open: ") + std::strerror(errno));
    std::vector<unsigned char> buf(max_size + 1);
    const std::size_t got = read_into(fd.get(), buf, path);
    if (got > max_size) {
        OPENSSL_cleanse(buf.data(), buf.size());
        fail(path, "larger than " + std::to_string(max_size / 1024) + " KiB");
    }
    buf.resize(got);  // shrinking keeps the allocation: no unwiped copy of a key is made
    return buf;
}

FileLock::FileLock(const std::filesystem::path& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0)
        fail(path, std::string("cannot open lock file: ") + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        const int err = errno;
        ::close(fd_);
        fail(path, std::string("cannot lock: ") + std::strerror(err));
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0)
        ::close(fd_);
}

}  // namespace sekisho::certs::detail

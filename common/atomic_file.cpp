#include "common/atomic_file.hpp"
#include "common/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace sekisho {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
    throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
    while (!content.empty()) {
        const ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw_errno("cannot write", path);
        }
        content.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

void fsync_directory(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0)
        throw_errno("cannot open directory", dir);
    if (::fsync(fd.get()) != 0)
        throw_errno("cannot fsync directory", dir);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode) {
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const auto tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
    if (fd.get() < 0)
        throw_errno("cannot create", tmp);
    try {
        write_all(fd.get(), content, tmp);
        if (::fchmod(fd.get(), mode) != 0)
            throw_errno("cannot chmod", tmp);
        if (::fsync(fd.get()) != 0)
            throw_errno("cannot fsync", tmp);
        if (::close(fd.release()) != 0)
            throw_errno("cannot close", tmp);
        if (::rename(tmp.c_str(), path.c_str()) != 0)
            throw_errno("cannot rename to", path);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    fsync_directory(dir);
}

}  // namespace sekisho

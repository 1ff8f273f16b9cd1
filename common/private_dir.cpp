#include "common/private_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sekisho {

std::optional<std::string> private_dir_problem(const std::filesystem::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return std::string("cannot create: ") + std::strerror(errno);
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
        return std::string(std::strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return std::string("not a directory");
    if (st.st_uid != ::geteuid())
        return std::string("not owned by the user sekishod runs as");
    if ((st.st_mode & 0077) != 0)
        return std::string("accessible by group or others; chmod 0700 it");
    return std::nullopt;
}

}  // namespace sekisho

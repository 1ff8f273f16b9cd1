#include "tests/support/temp_dir.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace sekisho::test {

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sekisho-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    // For a post-mortem of a failed test: SEKISHO_KEEP_TEST_DIRS=1 keeps every directory.
    if (const char* keep = std::getenv("SEKISHO_KEEP_TEST_DIRS"); keep && *keep == '1')
        return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, std::string_view content, mode_t mode) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out)
            throw std::runtime_error("cannot write " + path.string());
    }
    if (::chmod(path.c_str(), mode) != 0)
        throw std::runtime_error("cannot chmod " + path.string());
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string random_key() {
    std::random_device rd;
    std::string key(32, '\0');
    for (auto& c : key)
        c = static_cast<char>(rd() & 0xff);
    return key;
}

std::string current_user() {
    const passwd* pw = ::getpwuid(::geteuid());
    if (pw == nullptr)
        throw std::runtime_error("no passwd entry for the test user");
    return pw->pw_name;
}

}  // namespace sekisho::test

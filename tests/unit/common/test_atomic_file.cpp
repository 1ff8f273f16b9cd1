#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "common/atomic_file.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;

TEST_CASE("atomic write replaces content and leaves no temporary file", "[common][atomic]") {
    test::TempDir dir;
    const auto file = dir / "state.txt";
    write_file_atomically(file, "first");
    write_file_atomically(file, "second", 0600);
    CHECK(test::read_file(file) == "second");
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
        ++entries;
    CHECK(entries == 1);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("atomic write into a missing directory fails with the path named", "[common][atomic]") {
    test::TempDir dir;
    const auto file = dir / "missing" / "x";
    try {
        write_file_atomically(file, "x");
        FAIL("expected an exception");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find((dir / "missing").string()) != std::string::npos);
    }
}

TEST_CASE("atomic write does not follow a symlink planted at the temporary name",
          "[common][atomic]") {
    test::TempDir dir;
    const auto target = dir / "victim";
    test::write_file(target, "untouched");
    // The temporary name is predictable (pid-based); O_NOFOLLOW must refuse a link there.
    const auto tmp = dir / (".out.tmp." + std::to_string(::getpid()));
    std::filesystem::create_symlink(target, tmp);
    CHECK_THROWS_AS(write_file_atomically(dir / "out", "data"), std::system_error);
    CHECK(test::read_file(target) == "untouched");
}

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "adapters/clamd/freshness.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho::clamd;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using sekisho::test::TempDir;
using sekisho::test::write_file;

namespace {

const SystemTime kNow = std::chrono::system_clock::from_time_t(1796159109);  // 2026-12-01

void set_mtime(const fs::path& p, SystemTime t) {
    fs::last_write_time(p, std::chrono::file_clock::from_sys(t));
}

VersionInfo bare() {
    return VersionInfo{"1.4.6", std::nullopt, std::nullopt};
}

VersionInfo dated(SystemTime t) {
    return VersionInfo{"1.4.6", 27000u, t};
}

}  // namespace

TEST_CASE("the VERSION date decides when there is one", "[clamd][freshness]") {
    TempDir dir;
    write_file(dir / "main.ndb", "x");
    set_mtime(dir / "main.ndb", kNow);  // a fresh file must not rescue an old database
    const auto old = check_freshness(dated(kNow - 73h), dir.path(), 72h, kNow);
    CHECK_FALSE(old.fresh);
    CHECK_THAT(old.reason, Catch::Contains("older than max_signature_age 3d"));
    const auto recent = check_freshness(dated(kNow - 71h), fs::path("/nonexistent"), 72h, kNow);
    CHECK(recent.fresh);
    CHECK(recent.dated == kNow - 71h);
}

TEST_CASE("without a VERSION date the newest database file decides", "[clamd][freshness]") {
    TempDir dir;
    write_file(dir / "a.ndb", "x");
    write_file(dir / "b.hdb", "x");
    write_file(dir / "notes.txt", "x");
    set_mtime(dir / "a.ndb", kNow - 100h);
    set_mtime(dir / "b.hdb", kNow - 10h);
    set_mtime(dir / "notes.txt", kNow);
    CHECK(newest_database_file(dir.path()) == kNow - 10h);
    const auto f = check_freshness(bare(), dir.path(), 72h, kNow);
    CHECK(f.fresh);
    CHECK_THAT(f.reason, Catch::Contains("newest database file"));

    set_mtime(dir / "b.hdb", kNow - 80h);
    const auto stale = check_freshness(bare(), dir.path(), 72h, kNow);
    CHECK_FALSE(stale.fresh);
    CHECK(stale.dated == kNow - 80h);
}

TEST_CASE("undated signatures are stale", "[clamd][freshness]") {
    TempDir dir;
    write_file(dir / "readme.txt", "not a database");
    CHECK_FALSE(newest_database_file(dir.path()));
    const auto empty = check_freshness(bare(), dir.path(), 72h, kNow);
    CHECK_FALSE(empty.fresh);
    CHECK_THAT(empty.reason, Catch::Contains("undated"));
    CHECK_FALSE(check_freshness(bare(), dir / "missing", 72h, kNow).fresh);
}

TEST_CASE("signatures dated in the future are stale", "[clamd][freshness]") {
    const auto f = check_freshness(dated(kNow + 2h), "/nonexistent", 72h, kNow);
    CHECK_FALSE(f.fresh);
    CHECK_THAT(f.reason, Catch::Contains("future"));
    CHECK(check_freshness(dated(kNow + 30min), "/nonexistent", 72h, kNow).fresh);
}

TEST_CASE("database subdirectories and other files are not counted", "[clamd][freshness]") {
    TempDir dir;
    fs::create_directory(dir / "sub.ndb");
    write_file(dir / "daily.cld", "x");
    write_file(dir / "freshclam.dat", "x");
    set_mtime(dir / "daily.cld", kNow - 5h);
    set_mtime(dir / "freshclam.dat", kNow);
    CHECK(newest_database_file(dir.path()) == kNow - 5h);
}

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "config/secret.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::config;

namespace {

SecretRules key_rules() {
    return {.owner = ::geteuid(), .max_size = 32, .exact_size = 32};
}

std::string error_of(const SecretRef& ref, const SecretRules& rules) {
    try {
        load_secret(ref, rules);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("a 0600 or 0400 key file owned by the service user loads", "[config][secret]") {
    test::TempDir dir;
    const auto key = test::random_key();
    for (mode_t mode : {0600, 0400}) {
        test::write_file(dir / "k", key, mode);
        const auto secret = load_secret(SecretRef((dir / "k").string()), key_rules());
        CHECK(secret.view() == key);
        ::chmod((dir / "k").c_str(), 0600);
    }
}

TEST_CASE("path secrets with loose modes, other owners or links are refused", "[config][secret]") {
    test::TempDir dir;
    const SecretRef ref((dir / "k").string());
    test::write_file(dir / "k", test::random_key(), 0640);
    CHECK_THAT(error_of(ref, key_rules()), Catch::Contains("mode is 0640"));
    ::chmod((dir / "k").c_str(), 0600);
    auto rules = key_rules();
    rules.owner = ::geteuid() + 1;
    CHECK_THAT(error_of(ref, rules), Catch::Contains("must be owned by uid"));
    std::filesystem::create_symlink(dir / "k", dir / "link");
    CHECK_THAT(error_of(SecretRef((dir / "link").string()), key_rules()),
               Catch::Contains("cannot open"));
    std::filesystem::create_directory(dir / "d");
    ::chmod((dir / "d").c_str(), 0600);
    CHECK_THAT(error_of(SecretRef((dir / "d").string()), key_rules()),
               Catch::Contains("not a regular file"));
}

TEST_CASE("size rules: exact raw keys, bounded files, one newline stripped", "[config][secret]") {
    test::TempDir dir;
    const SecretRef ref((dir / "k").string());
    test::write_file(dir / "k", std::string(31, 'x'), 0600);
    CHECK_THAT(error_of(ref, key_rules()), Catch::Contains("exactly 32"));
    test::write_file(dir / "k", std::string(33, 'x'), 0600);
    CHECK_THAT(error_of(ref, key_rules()), Catch::Contains("larger than 32"));
    test::write_file(dir / "k", "s3cret\n", 0600);
    const SecretRules password{.owner = ::geteuid(), .max_size = 64, .strip_newline = true};
    CHECK(load_secret(ref, password).view() == "s3cret");
    test::write_file(dir / "k", "", 0600);
    CHECK_THAT(error_of(ref, password), Catch::Contains("empty"));
}

TEST_CASE("errors name the reference, never the secret", "[config][secret]") {
    test::TempDir dir;
    const std::string content = "secretvalue-0123456789-abcdefghij";
    test::write_file(dir / "k", content, 0600);
    const auto err = error_of(SecretRef((dir / "k").string()), key_rules());
    CHECK_THAT(err, Catch::Contains((dir / "k").string()));
    CHECK(err.find("secretvalue") == std::string::npos);
}

TEST_CASE("credential names resolve under $CREDENTIALS_DIRECTORY only", "[config][secret]") {
    test::TempDir dir;
    ::unsetenv("CREDENTIALS_DIRECTORY");
    const SecretRef ref("queue_key");
    CHECK_FALSE(secret_location(ref));
    CHECK_THAT(error_of(ref, key_rules()), Catch::Contains("$CREDENTIALS_DIRECTORY is not set"));
    const auto key = test::random_key();
    test::write_file(dir / "queue_key", key, 0440);  // systemd's own modes are accepted
    ::setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
    CHECK(load_secret(ref, key_rules()).view() == key);
    ::chmod((dir / "queue_key").c_str(), 0444);
    CHECK_THAT(error_of(ref, key_rules()), Catch::Contains("readable by others"));
    ::unsetenv("CREDENTIALS_DIRECTORY");
}

TEST_CASE("malformed references are refused", "[config][secret]") {
    CHECK(SecretRef("").syntax_error());
    CHECK(SecretRef("a/b").syntax_error());
    CHECK(SecretRef("a b").syntax_error());
    CHECK(SecretRef("/etc/../x").syntax_error());
    CHECK(SecretRef("..").syntax_error());
    CHECK_FALSE(SecretRef("queue_key").syntax_error());
    CHECK_FALSE(SecretRef("/etc/sekisho/queue.key").syntax_error());
}

TEST_CASE("secret bytes are wiped when moved from or destroyed", "[config][secret]") {
    SecretBytes a(std::vector<unsigned char>{1, 2, 3});
    SecretBytes b(std::move(a));
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the wipe is the point
    CHECK(b.size() == 3);
    b.wipe();
    CHECK(b.empty());
}

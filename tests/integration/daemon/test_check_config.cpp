#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "common/version.hpp"
#include "tests/integration/daemon/daemon_fixture.hpp"
#include "tests/support/process.hpp"

using namespace sekisho::test;

namespace {

const std::map<std::string, std::string> kNoCredentials{{"CREDENTIALS_DIRECTORY", ""}};

Completed check(const std::filesystem::path& config, const std::string& binary = "sekishod") {
    return run({program(binary), "-c", config.string(), "--check-config"}, kNoCredentials);
}

}  // namespace

TEST_CASE("every program prints its version", "[daemon][cli]") {
    for (const std::string name :
         {"sekishod", "sekishoctl", "sekisho-send", "sekisho-recv", "sekisho-sim"}) {
        const auto r = run({program(name), "--version"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == name + " " + sekisho::kVersion + "\n");
    }
}

TEST_CASE("usage errors exit 2", "[daemon][cli]") {
    const auto r = run({program("sekishod"), "--no-such-flag"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("no-such-flag"));
}

TEST_CASE("check-config accepts the example configurations", "[daemon][cli]") {
    const std::filesystem::path src(SEKISHO_SOURCE_DIR);
    auto r = check(src / "config/sekishod.example.toml");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "configuration OK\n");
    r = check(src / "config/sekisho-recv.example.toml", "sekisho-recv");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "configuration OK\n");
}

TEST_CASE("check-config accepts a complete configuration with real secrets", "[daemon][cli]") {
    DaemonFixture f;
    const auto r = check(f.config);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "configuration OK\n");
}

TEST_CASE("check-config rejects each kind of bad configuration naming the key", "[daemon][cli]") {
    struct Case {
        const char* kind;
        std::string extra;
        std::string expected;  // "file:line:col: key: ..." prefix after the file name
    };
    DaemonFixture f;
    const auto missing = (f.dir / "no-such-ca.pem").string();
    const std::vector<Case> cases{
        {"unknown key", "colour = \"blue\"\n", ":6:1: daemon.colour: unknown key"},
        {"wrong type", "log_level = 7\n", ":6:13: daemon.log_level: expected a string"},
        {"bad duration", "[clamd]\ntimeout = \"soon\"\n", ":7:11: clamd.timeout: not a duration"},
        {"bad size", "[inspect]\nmax_package = \"big\"\n",
         ":7:15: inspect.max_package: not a size"},
        {"missing file path", "[inspect]\ntrust_anchors = [\"" + missing + "\"]\n",
         ":7:1: inspect.trust_anchors: file not found: " + missing},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.kind) {
            f.write_config(c.extra);
            const auto r = check(f.config);
            CHECK(r.exit_code == 1);
            CHECK(r.out.empty());
            CHECK_THAT(r.err, Catch::Contains(f.config.string() + c.expected));
        }
    }
    SECTION("world-readable secret file") {
        ::chmod((f.dir / "queue.key").c_str(), 0644);
        const auto r = check(f.config);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains(": keys.queue_key: secret " +
                                          (f.dir / "queue.key").string() + ": mode is 0644"));
    }
}

TEST_CASE("print-systemd-dropin allows exactly the configured peers", "[daemon][cli]") {
    DaemonFixture f;
    f.write_config("[oneway]\ndestination = \"192.0.2.10:7410\"\n");
    write_file(f.dir / "oneway.key", random_key(), 0600);
    auto text = read_file(f.config);
    text += "oneway_key = \"" + (f.dir / "oneway.key").string() + "\"\n";
    write_file(f.config, text, 0640);
    const auto r = run({program("sekishod"), "-c", f.config.string(), "--print-systemd-dropin"});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("[Service]\n"));
    CHECK_THAT(r.out, Catch::Contains("IPAddressAllow=192.0.2.10\n"));
    CHECK(r.out.find("IPAddressAllow=", r.out.find("IPAddressAllow=192.0.2.10") + 1) ==
          std::string::npos);
}

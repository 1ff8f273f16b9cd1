#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "config/load.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::config;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    test::TempDir dir;
    Path config = dir / "sekishod.toml";
    Path key = dir / "queue.key";
    Path audit = dir / "audit.key";

    Fixture() {
        ::unsetenv("CREDENTIALS_DIRECTORY");
        test::write_file(key, test::random_key(), 0600);
        test::write_file(audit, test::random_key(), 0600);
    }

    // A valid base that names the test user and path secrets, plus `extra` TOML.
    std::string base(const std::string& extra = "") const {
        return "[daemon]\nuser = \"" + test::current_user() + "\"\n" + "state_dir = \"" +
               (dir / "state").string() + "\"\n[keys]\nqueue_key = \"" + key.string() +
               "\"\naudit_key = \"" + audit.string() + "\"\n" + extra;
    }

    LoadResult load(const std::string& text, Program program = Program::daemon) const {
        test::write_file(config, text, 0640);
        return load_settings(config, program);
    }
};

// The one error of a result, checked to name the key and the line.
Problem only_error(const LoadResult& r) {
    INFO([&] {
        std::string all;
        for (const auto& p : r.errors)
            all += p.str() + "\n";
        return all;
    }());
    REQUIRE(r.errors.size() == 1);
    return r.errors.front();
}

}  // namespace

TEST_CASE("the example configuration is accepted", "[config][load]") {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    const auto r =
        load_settings(Path(SEKISHO_SOURCE_DIR) / "config/sekishod.example.toml", Program::daemon);
    for (const auto& p : r.errors)
        UNSCOPED_INFO(p.str());
    CHECK(r.ok());
    // Credentials cannot be checked without $CREDENTIALS_DIRECTORY, and the result says so.
    CHECK(std::any_of(r.notes.begin(), r.notes.end(),
                      [](const auto& n) { return n.find("keys.queue_key") != std::string::npos; }));
}

TEST_CASE("the receiver example is accepted by the receiver", "[config][load]") {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    const auto r = load_settings(Path(SEKISHO_SOURCE_DIR) / "config/sekisho-recv.example.toml",
                                 Program::receiver);
    CHECK(r.ok());
}

TEST_CASE("an empty file gives the documented defaults", "[config][load]") {
    Fixture f;
    const auto r = f.load(f.base());
    REQUIRE(r.ok());
    const auto& s = *r.settings;
    CHECK(s.daemon.control_socket == "/run/sekisho/control.sock");
    CHECK(s.daemon.log_level == log::Level::info);
    CHECK(s.mynaportal.enabled == false);
    CHECK(s.mynaportal.poll_interval == 5min);
    CHECK(s.chukan.ipsec_check == "interface:ipsec0");
    CHECK(s.chukan.status_interval == std::chrono::seconds(30));
    CHECK(s.inspect.max_package == 10u * 1024 * 1024);
    CHECK(s.inspect.max_csv == 4'500'000u);
    CHECK(s.inspect.mynumber_allowed_forms == std::vector<std::string>{"2200700", "2201700"});
    CHECK(s.clamd.max_signature_age == 72h);
    CHECK(s.clamd.database_dir == "/var/lib/clamav");
    CHECK(s.clamd.max_stream == 25u * 1024 * 1024);
    CHECK(s.release.require_approval == false);
    CHECK(s.release.auto_release.empty());
    CHECK(s.oneway.rate_bps == 100'000'000u);
    CHECK(s.retention.honnin == 365 * 24h);
    CHECK(s.roles.operators.empty());
}

TEST_CASE("an unknown key is named with its line and a suggestion", "[config][load]") {
    Fixture f;
    const auto e =
        only_error(f.load(f.base("[clamd]\ntimeout = \"5s\"\nmax_signatur_age = \"1d\"\n")));
    CHECK(e.key == "clamd.max_signatur_age");
    CHECK(e.where == f.config.string() + ":9:1");
    CHECK_THAT(e.message, Catch::Contains("unknown key") && Catch::Contains("max_signature_age"));
}

TEST_CASE("an unknown section is an error", "[config][load]") {
    Fixture f;
    const auto e = only_error(f.load(f.base("[mynaportl]\nenabled = true\n")));
    CHECK(e.key == "mynaportl");
    CHECK_THAT(e.message, Catch::Contains("did you mean \"mynaportal\""));
}

TEST_CASE("a wrong type is named with the key and the types", "[config][load]") {
    Fixture f;
    const auto e = only_error(f.load(f.base("[inspect]\nmax_entries = \"32\"\n")));
    CHECK(e.key == "inspect.max_entries");
    CHECK(e.where == f.config.string() + ":8:15");
    CHECK_THAT(e.message, Catch::Contains("expected an integer, found a string"));
}

TEST_CASE("a bad duration is an error naming the key", "[config][load]") {
    Fixture f;
    const auto e = only_error(f.load(f.base("[mynaportal]\npoll_interval = \"5 minutes\"\n")));
    CHECK(e.key == "mynaportal.poll_interval");
    CHECK_THAT(e.message, Catch::Contains("not a duration"));
}

TEST_CASE("a bad size is an error naming the key", "[config][load]") {
    Fixture f;
    const auto e = only_error(f.load(f.base("[inspect]\nmax_package = \"10 megabytes\"\n")));
    CHECK(e.key == "inspect.max_package");
    CHECK_THAT(e.message, Catch::Contains("not a size"));
}

TEST_CASE("an integer out of range is an error", "[config][load]") {
    Fixture f;
    const auto e = only_error(f.load(f.base("[oneway]\nrepeat = 0\n")));
    CHECK(e.key == "oneway.repeat");
}

TEST_CASE("a missing file path is an error naming the key and the path", "[config][load]") {
    Fixture f;
    const auto e = only_error(f.load(
        f.base("[inspect]\ntrust_anchors = [\"" + (f.dir / "missing-ca.pem").string() + "\"]\n")));
    CHECK(e.key == "inspect.trust_anchors");
    CHECK(e.where == f.config.string() + ":8:1");
    CHECK_THAT(e.message, Catch::Contains("file not found") && Catch::Contains("missing-ca.pem"));
}

TEST_CASE("a relative path is an error", "[config][load]") {
    Fixture f;
    const auto r = f.load(f.base("[receiver]\ninbox_dir = \"inbox\"\n"));
    CHECK(only_error(r).key == "receiver.inbox_dir");
}

TEST_CASE("a world-readable secret file is an error naming the key", "[config][load]") {
    Fixture f;
    ::chmod(f.key.c_str(), 0644);
    const auto e = only_error(f.load(f.base()));
    CHECK(e.key == "keys.queue_key");
    CHECK_THAT(e.message, Catch::Contains("mode is 0644"));
}

TEST_CASE("a secret key of the wrong length is an error", "[config][load]") {
    Fixture f;
    test::write_file(f.key, "short", 0600);
    const auto e = only_error(f.load(f.base()));
    CHECK(e.key == "keys.queue_key");
    CHECK_THAT(e.message, Catch::Contains("exactly 32"));
}

TEST_CASE("an enabled source needs its required keys", "[config][load]") {
    Fixture f;
    const auto r = f.load(f.base("[mynaportal]\nenabled = true\n"));
    std::vector<std::string> keys;
    for (const auto& p : r.errors)
        keys.push_back(p.key);
    CHECK_THAT(keys, Catch::VectorContains(std::string("mynaportal.base_url")));
    CHECK_THAT(keys, Catch::VectorContains(std::string("mynaportal.ca_file")));
    CHECK_THAT(keys, Catch::VectorContains(std::string("mynaportal.client_cert")));
    CHECK_THAT(keys, Catch::VectorContains(std::string("mynaportal.user_id")));
    CHECK_THAT(keys, Catch::VectorContains(std::string("inspect.trust_anchors")));
}

TEST_CASE("policy rules across keys are checked", "[config][load]") {
    Fixture f;
    CHECK(only_error(f.load(f.base("[retention]\nhonnin = \"400d\"\n"))).key == "retention.honnin");
    CHECK(only_error(f.load(f.base("[oneway]\nfec_data = 200\nfec_parity = 100\n"))).key ==
          "oneway.fec_parity");
    CHECK(only_error(f.load(f.base("[chukan]\nipsec_check = \"maybe\"\n"))).key ==
          "chukan.ipsec_check");
    CHECK(only_error(f.load(f.base("[chukan]\nstatus_interval = \"500ms\"\n"))).key ==
          "chukan.status_interval");
    CHECK(only_error(f.load(f.base("[inspect]\nmynumber_allowed_forms = [\"1234567\"]\n"))).key ==
          "inspect.mynumber_allowed_forms");
    CHECK(
        only_error(f.load(f.base("[release]\nauto = [{ source = \"email\", forms = [\"x\"] }]\n")))
            .key == "release.auto[0].source");
    CHECK(only_error(f.load(f.base("[oneway]\ndestination = \"core\"\n"))).key ==
          "oneway.destination");
}

TEST_CASE("the clamd keys are read and their limits checked", "[config][load]") {
    Fixture f;
    const auto r = f.load(f.base("[clamd]\ndatabase_dir = \"" + f.dir.path().string() +
                                 "\"\nmax_stream = \"12MiB\"\ntimeout = \"2s\"\n"));
    REQUIRE(r.ok());
    CHECK(r.settings->clamd.database_dir == f.dir.path());
    CHECK(r.settings->clamd.max_stream == 12u * 1024 * 1024);
    CHECK(r.settings->clamd.timeout == 2s);
    const auto small = only_error(f.load(f.base("[clamd]\nmax_stream = \"1MiB\"\n")));
    CHECK(small.key == "clamd.max_stream");
    CHECK_THAT(small.message, Catch::Contains("inspect.max_package"));
    CHECK(only_error(f.load(f.base("[clamd]\ntimeout = \"500ms\"\n"))).key == "clamd.timeout");
    CHECK(only_error(f.load(f.base("[clamd]\ndatabase_dir = \"db\"\n"))).key ==
          "clamd.database_dir");
}

TEST_CASE("roles take names and validity windows", "[config][load]") {
    Fixture f;
    const auto r = f.load(
        f.base("[roles]\noperators = [\"group:ops\", { user = \"tanaka\", valid_from = 2026-04-01, "
               "valid_until = 2027-03-31 }]\nadmins = [\"user:root\"]\n"));
    REQUIRE(r.ok());
    const auto& ops = r.settings->roles.operators;
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].kind == RoleMember::Kind::group);
    CHECK(ops[0].name == "ops");
    CHECK(ops[1].name == "tanaka");
    REQUIRE(ops[1].valid_from);
    REQUIRE(ops[1].valid_until);
    // valid_until names the last valid day: 2026-04-01 00:00 to 2027-04-01 00:00 local time.
    CHECK(std::chrono::duration_cast<std::chrono::hours>(*ops[1].valid_until -
                                                         *ops[1].valid_from) == 365 * 24h);
}

TEST_CASE("malformed role members are errors", "[config][load]") {
    Fixture f;
    CHECK(only_error(f.load(f.base("[roles]\noperators = [\"tanaka\"]\n"))).key ==
          "roles.operators[0]");
    CHECK(only_error(f.load(f.base("[roles]\nadmins = [{ user = \"a\", valid_from = 2027-01-01, "
                                   "valid_until = 2026-01-01 }]\n")))
              .key == "roles.admins[0]");
    CHECK(only_error(f.load(f.base("[roles]\nadmins = [{ user = \"a\", group = \"b\" }]\n"))).key ==
          "roles.admins[0].user");
}

TEST_CASE("every problem is reported, not only the first", "[config][load]") {
    Fixture f;
    const auto r = f.load(f.base("[clamd]\ntimeout = 5\nsocket = 7\nbogus = 1\n"));
    CHECK(r.errors.size() == 3);
}

TEST_CASE("a TOML syntax error names the line", "[config][load]") {
    Fixture f;
    const auto e = only_error(f.load("[daemon]\nlog_level = \"info\n"));
    CHECK_THAT(e.where, Catch::StartsWith(f.config.string() + ":2:"));
    CHECK_THAT(e.message, Catch::Contains("syntax error"));
}

TEST_CASE("the configuration file itself is checked", "[config][load]") {
    Fixture f;
    CHECK_THAT(only_error(load_settings(f.dir / "nope.toml", Program::daemon)).message,
               Catch::Contains("cannot read"));
    test::write_file(f.config, f.base(), 0666);
    CHECK_THAT(only_error(load_settings(f.config, Program::daemon)).message,
               Catch::Contains("writable by group or others"));
    test::write_file(f.config, std::string(kMaxConfigBytes + 1, '#'), 0644);
    CHECK_THAT(only_error(load_settings(f.config, Program::daemon)).message,
               Catch::Contains("larger than"));
}

TEST_CASE("credentials are read from $CREDENTIALS_DIRECTORY", "[config][load]") {
    Fixture f;
    const auto creds = f.dir / "creds";
    std::filesystem::create_directory(creds);
    test::write_file(creds / "queue_key", test::random_key(), 0400);
    test::write_file(creds / "audit_key", "too short", 0400);
    ::setenv("CREDENTIALS_DIRECTORY", creds.c_str(), 1);
    const auto r = f.load("[daemon]\nuser = \"" + test::current_user() + "\"\n");
    ::unsetenv("CREDENTIALS_DIRECTORY");
    CHECK(only_error(r).key == "keys.audit_key");
}

// `sekishoctl mynaportal change-password` against the simulator over real mutual TLS: the
// real binary, a sekishod configuration file, the new password on standard input.

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "common/time_format.hpp"
#include "daemon/ctl/change_password.hpp"
#include "tests/integration/daemon/daemon_fixture.hpp"
#include "tests/integration/mynaportal/sim_fixture.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

namespace {

const std::string kCurrent = "correct horse";  // what SimFixture's password file holds
const std::string kNew = "battery staple 2027!";
const std::map<std::string, std::string> kNoCredentials{{"CREDENTIALS_DIRECTORY", ""}};

// The [mynaportal] section of a sekishod configuration pointed at the simulator.
std::string mynaportal_config(const test::SimFixture& sim, const std::string& credential) {
    const auto d = sim.dir.path();
    return "[mynaportal]\nenabled = true\nbase_url = \"https://127.0.0.1:" +
           std::to_string(sim.port) + "/\"\nca_file = \"" + (d / "server-ca.pem").string() +
           "\"\nclient_cert = \"" + (d / "client.pem").string() + "\"\nclient_key = \"" +
           (d / "client.key").string() + "\"\nuser_id = \"K1234567\"\npassword_credential = \"" +
           credential + "\"\ntimeout = \"3s\"\n";
}

struct Setup {
    test::SimFixture sim;
    test::DaemonFixture daemon;

    explicit Setup(const std::vector<std::string>& sim_args = {}) {
        sim.start(sim_args);
        use_credential((sim.dir / "password").string());
    }
    void use_credential(const std::string& credential) {
        daemon.write_config(mynaportal_config(sim, credential));
    }
    test::Completed change(const std::string& input, const std::vector<std::string>& extra = {},
                           const std::map<std::string, std::string>& env = kNoCredentials) {
        std::vector<std::string> argv{test::program("sekishoctl"), "-c", daemon.config.string(),
                                      "mynaportal", "change-password"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return test::run(argv, env, input);
    }
    // Requests to POST /v1/auth/password and their statuses, in order.
    std::vector<int> password_changes() const {
        std::vector<int> out;
        for (const auto& r : sim.recorded()) {
            if (r.at("method").as_string() == "POST" &&
                r.at("target").as_string() == "/v1/auth/password") {
                out.push_back(r.at("status").to_number<int>());
            }
        }
        return out;
    }
    mynaportal::CycleReport poll_with(const std::string& password) const {
        test::write_file(daemon.dir / "poll-password", password + "\n", 0600);
        auto s = sim.settings();
        s.password = config::SecretRef((daemon.dir / "poll-password").string());
        test::QueueFixture qf;
        return test::poll(*qf.q, s);
    }
};

mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// No password in anything the command printed.
void check_no_password(const test::Completed& r, const std::vector<std::string>& secrets) {
    for (const auto& s : secrets) {
        CHECK(r.out.find(s) == std::string::npos);
        CHECK(r.err.find(s) == std::string::npos);
    }
}

// Files left next to the credential (temporary files must be gone).
std::vector<std::string> leftovers(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const auto name = e.path().filename().string();
        if (name.starts_with(".password"))
            out.push_back(name);
    }
    return out;
}

}  // namespace

TEST_CASE("change-password changes the password and stores it in the path credential",
          "[mynaportal][ctl]") {
    Setup t;
    const auto r = t.change(kNew + "\n");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(test::read_file(t.sim.dir / "password") == kNew + "\n");
    CHECK(mode_of(t.sim.dir / "password") == 0600);
    CHECK(leftovers(t.sim.dir.path()).empty());
    CHECK_THAT(r.out, Catch::Contains("Mynaportal password changed for user K1234567"));
    CHECK_THAT(r.out,
               Catch::Contains("Stored the new password in " + (t.sim.dir / "password").string()));
    CHECK_THAT(r.out, Catch::Contains("systemctl reload sekishod"));
    check_no_password(r, {kNew, kCurrent});
    CHECK(t.password_changes() == std::vector<int>{204});
    // A poll cycle, which reads the credential file, logs in with the new password.
    test::QueueFixture qf;
    const auto cycle = test::poll(*qf.q, t.sim.settings());
    INFO(cycle.error);
    CHECK(cycle.ok());
    CHECK_FALSE(cycle.password_expired);
    CHECK_FALSE(t.poll_with(kCurrent).ok());  // the old one no longer works
}

TEST_CASE("change-password refuses a wrong current password and changes nothing",
          "[mynaportal][ctl]") {
    Setup t;
    test::write_file(t.sim.dir / "password", "not the password\n", 0600);
    const auto r = t.change(kNew + "\n");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("refused the current password"));
    CHECK_THAT(r.err, Catch::Contains("401"));
    CHECK_THAT(r.err, Catch::Contains("bad-credentials"));
    CHECK_THAT(r.err, Catch::Contains("Nothing was changed"));
    CHECK(r.out.empty());
    CHECK(test::read_file(t.sim.dir / "password") == "not the password\n");
    CHECK(leftovers(t.sim.dir.path()).empty());
    CHECK(t.password_changes().empty());
    check_no_password(r, {kNew, "not the password"});
    CHECK(t.poll_with(kCurrent).ok());
}

TEST_CASE("change-password changes an expired password through the simulator's extension",
          "[mynaportal][ctl]") {
    Setup t({"--password-expires-at", "2020-01-01T00:00:00+09:00"});
    {
        const auto before = t.poll_with(kCurrent);
        CHECK(before.password_expired);
    }
    const auto r = t.change(kNew + "\n");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("403 password-expired"));
    CHECK_THAT(r.out, Catch::Contains("does not define this form"));
    CHECK_THAT(r.out, Catch::Contains("systemctl reload sekishod"));
    CHECK(test::read_file(t.sim.dir / "password") == kNew + "\n");
    CHECK(t.password_changes() == std::vector<int>{204});
    check_no_password(r, {kNew, kCurrent});
    test::QueueFixture qf;
    const auto cycle = test::poll(*qf.q, t.sim.settings());
    INFO(cycle.error);
    CHECK(cycle.ok());
    CHECK_FALSE(cycle.password_expired);
    REQUIRE(cycle.password_expires_at_ms);
    CHECK(*cycle.password_expires_at_ms > unix_ms_now() + 300LL * 86'400'000);
}

TEST_CASE("change-password with a credential name needs a source for the current password",
          "[mynaportal][ctl]") {
    Setup t;
    t.use_credential("mynaportal_password");

    SECTION("neither $CREDENTIALS_DIRECTORY nor --current-password-file") {
        const auto r = t.change(kNew + "\n");
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("$CREDENTIALS_DIRECTORY"));
        CHECK_THAT(r.err, Catch::Contains("--current-password-file"));
        CHECK_THAT(r.err, Catch::Contains("Nothing was changed"));
        CHECK(t.sim.recorded().empty());
    }
    SECTION("--current-password-file") {
        const auto r =
            t.change(kNew + "\n", {"--current-password-file", (t.sim.dir / "password").string()});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(t.password_changes() == std::vector<int>{204});
        CHECK_THAT(r.out, Catch::Contains("systemd-creds encrypt --name=mynaportal_password - "
                                          "/etc/credstore.encrypted/sekisho.mynaportal_password"));
        CHECK_THAT(r.out, Catch::Contains("systemctl restart sekishod"));
        CHECK_THAT(r.out, Catch::Contains("Then remove " + (t.sim.dir / "password").string()));
        // The command writes no credential store; the given file is left as it was.
        CHECK(test::read_file(t.sim.dir / "password") == kCurrent + "\n");
        check_no_password(r, {kNew, kCurrent});
        CHECK(t.poll_with(kNew).ok());
    }
    SECTION("$CREDENTIALS_DIRECTORY") {
        const auto creds = t.daemon.dir / "credentials";
        std::filesystem::create_directory(creds);
        test::write_file(creds / "mynaportal_password", kCurrent + "\n", 0400);
        const auto r = t.change(kNew + "\n", {}, {{"CREDENTIALS_DIRECTORY", creds.string()}});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(t.password_changes() == std::vector<int>{204});
        CHECK_THAT(r.out, Catch::Contains("systemd-creds encrypt --name=mynaportal_password"));
        CHECK(t.poll_with(kNew).ok());
    }
    SECTION("--current-password-file is refused for a path credential") {
        t.use_credential((t.sim.dir / "password").string());
        const auto r =
            t.change(kNew + "\n", {"--current-password-file", (t.sim.dir / "password").string()});
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains("--current-password-file"));
        CHECK(t.sim.recorded().empty());
    }
}

TEST_CASE("change-password refuses an unusable new password before contacting Mynaportal",
          "[mynaportal][ctl]") {
    struct Case {
        const char* name;
        std::string input;
        const char* message;
    };
    const std::vector<Case> cases{
        {"empty line", "\n", "the new password is empty"},
        {"no input", "", "no new password on standard input"},
        {"too long", std::string(1025, 'x') + "\n", "longer than 1024 bytes"},
        {"same as the current one", kCurrent + "\n", "same as the current one"},
        {"control character", "abc\r\n", "control character"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            Setup t;
            const auto r = t.change(c.input);
            INFO(r.out << r.err);
            CHECK(r.exit_code == 1);
            CHECK_THAT(r.err, Catch::Contains(c.message));
            CHECK_THAT(r.err, Catch::Contains("Nothing was changed"));
            CHECK(test::read_file(t.sim.dir / "password") == kCurrent + "\n");
            CHECK(t.sim.recorded().empty());
            CHECK(leftovers(t.sim.dir.path()).empty());
        }
    }
    SECTION("exactly 1024 bytes without a newline is taken") {
        Setup t;
        const std::string longest(1024, 'y');
        const auto r = t.change(longest);
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(test::read_file(t.sim.dir / "password") == longest + "\n");
    }
}

TEST_CASE("change-password reports a failed change and leaves the credential",
          "[mynaportal][ctl]") {
    // Requests: login (1), change (2): the change is the one faulted.
    SECTION("the service answers 500") {
        Setup t({"--error500-every", "2"});
        const auto r = t.change(kNew + "\n");
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("500"));
        CHECK_THAT(r.err, Catch::Contains("Nothing was changed"));
        CHECK(test::read_file(t.sim.dir / "password") == kCurrent + "\n");
        CHECK(leftovers(t.sim.dir.path()).empty());
        CHECK(t.password_changes() == std::vector<int>{500});
    }
    SECTION("the connection is reset instead of an answer: the new password is tried") {
        Setup t({"--reset-every", "2"});
        const auto r = t.change(kNew + "\n");
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("Nothing was changed"));
        CHECK(test::read_file(t.sim.dir / "password") == kCurrent + "\n");
        CHECK(leftovers(t.sim.dir.path()).empty());
        CHECK(t.password_changes() == std::vector<int>{0});  // 0: reset
    }
}

TEST_CASE("sekishoctl keeps its command line", "[mynaportal][ctl][cli]") {
    const auto ctl = test::program("sekishoctl");
    auto r = test::run({ctl, "--help"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("mynaportal change-password"));
    r = test::run({ctl, "mynaportal", "change-password", "--help"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("--current-password-file"));
    // The socket commands find the daemon through the configuration, here missing.
    r = test::run({ctl, "-c", "/nonexistent/sekishod.toml", "status"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot use the configuration /nonexistent/sekishod.toml"));
    r = test::run({ctl, "no-such-command"});
    CHECK(r.exit_code == 2);
    r = test::run({ctl, "mynaportal", "change-password", "--no-such-flag"}, {}, "");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("no-such-flag"));
    r = test::run({ctl, "mynaportal", "rename"});
    CHECK(r.exit_code == 2);
}

namespace {

// A pseudo-terminal: `slave` is what the command reads, `master` is the keyboard.
struct Pty {
    int master = -1;
    int slave = -1;
    Pty() {
        master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        REQUIRE(master >= 0);
        REQUIRE(::grantpt(master) == 0);
        REQUIRE(::unlockpt(master) == 0);
        slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        REQUIRE(slave >= 0);
    }
    ~Pty() {
        ::close(slave);
        ::close(master);
    }
    bool echo() const {
        termios t{};
        ::tcgetattr(slave, &t);
        return (t.c_lflag & ECHO) != 0;
    }
    // Types `keys` once echo is off (the command flushes earlier typing).
    std::thread type_when_quiet(std::string keys) {
        return std::thread([this, keys] {
            for (int i = 0; i < 500 && echo(); ++i)
                std::this_thread::sleep_for(10ms);
            (void)!::write(master, keys.data(), keys.size());
        });
    }
    std::string screen() const {
        std::string out;
        const int flags = ::fcntl(master, F_GETFL);
        ::fcntl(master, F_SETFL, flags | O_NONBLOCK);
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::read(master, buf, sizeof buf)) > 0)
            out.append(buf, static_cast<std::size_t>(n));
        return out;
    }
};

}  // namespace

TEST_CASE("on a terminal the new password is asked twice without echo", "[mynaportal][ctl]") {
    Pty pty;
    REQUIRE(pty.echo());
    std::ostringstream prompts;
    SECTION("both entries match") {
        auto typist = pty.type_when_quiet(kNew + "\n" + kNew + "\n");
        auto got = ctl::read_new_password(pty.slave, prompts);
        typist.join();
        CHECK(got.refusal.empty());
        CHECK(got.password.view() == kNew);
        CHECK(prompts.str() == "New Mynaportal password: Again: ");
    }
    SECTION("the entries differ") {
        auto typist = pty.type_when_quiet(kNew + "\n" + kCurrent + "\n");
        auto got = ctl::read_new_password(pty.slave, prompts);
        typist.join();
        CHECK(got.refusal == "the two entries differ");
        CHECK(got.password.empty());
    }
    SECTION("an empty entry") {
        auto typist = pty.type_when_quiet("\n");
        auto got = ctl::read_new_password(pty.slave, prompts);
        typist.join();
        CHECK(got.refusal == "the new password is empty");
    }
    CHECK(pty.echo());  // restored
    CHECK(pty.screen().find(kNew) == std::string::npos);
}

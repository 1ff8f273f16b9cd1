// `sekishoctl certs rotate` and `certs rollback` against a running sekishod polling the
// Mynaportal simulator: refused rotations change nothing; a good one is used by the next
// connection (the simulator records the client certificate's fingerprint) without a
// restart; a rollback brings the old certificate back.

#include <openssl/sha.h>

#include <catch2/catch.hpp>
#include <regex>
#include <thread>

#include "tests/integration/daemon/daemon_fixture.hpp"
#include "tests/integration/mynaportal/sim_fixture.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

namespace {

std::string der_sha256(const sim::Issued& cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.cert.get(), &der);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<std::size_t>(len), digest);
    OPENSSL_free(der);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

// `certs list` without the day counts, which tick over while a test runs.
std::string without_days(const std::string& listing) {
    return std::regex_replace(listing, std::regex(R"("days_left":-?[0-9]+,"expiry":"[^"]*",)"), "");
}

struct RotationFixture {
    test::SimFixture sim;
    test::DaemonFixture daemon;
    std::unique_ptr<test::Child> process;

    RotationFixture() {
        sim.add_filings(1);
        sim.start();
        const auto d = sim.dir.path();
        daemon.write_config(
            "[mynaportal]\nenabled = true\nbase_url = \"https://127.0.0.1:" +
            std::to_string(sim.port) + "/\"\nca_file = \"" + (d / "server-ca.pem").string() +
            "\"\nclient_ca_file = \"" + (d / "client-ca.pem").string() + "\"\nclient_cert = \"" +
            (d / "client.pem").string() + "\"\nclient_key = \"" + (d / "client.key").string() +
            "\"\nuser_id = \"K1234567\"\npassword_credential = \"" + (d / "password").string() +
            "\"\npoll_interval = \"1s\"\ntimeout = \"3s\"\n[inspect]\ntrust_anchors = [\"" +
            (d / "server-ca.pem").string() + "\"]\n[roles]\nadmins = [\"user:" +
            test::current_user() + "\"]\nauditors = [\"user:" + test::current_user() + "\"]\n");
        process = std::make_unique<test::Child>(
            std::vector<std::string>{test::program("sekishod"), "-c", daemon.config.string()},
            std::map<std::string, std::string>{{"NOTIFY_SOCKET", ""},
                                               {"CREDENTIALS_DIRECTORY", ""}},
            daemon.dir / "sekishod.log");
    }

    ~RotationFixture() {
        process->signal(SIGTERM);
        process->wait(10s);
    }

    test::Completed ctl(std::vector<std::string> args) const {
        args.insert(args.begin(), {test::program("sekishoctl"), "-c", daemon.config.string()});
        return test::run(args);
    }

    std::size_t records() const { return sim.recorded().size(); }

    // Waits until a request after record number `from` presented this client certificate.
    bool seen_after(std::size_t from, const std::string& sha256) const {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto all = sim.recorded();
            for (std::size_t i = from; i < all.size(); ++i) {
                if (all[i].at("client_cert_sha256").as_string() == sha256)
                    return true;
            }
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }

    // Requests after record `from` all presented this certificate (at least one did).
    bool only_after(std::size_t from, const std::string& sha256) const {
        const auto all = sim.recorded();
        bool any = false;
        for (std::size_t i = from; i < all.size(); ++i) {
            if (all[i].at("client_cert_sha256").as_string() != sha256)
                return false;
            any = true;
        }
        return any;
    }

    std::string write(const std::string& name, const sim::Issued& issued) const {
        const auto dir = daemon.dir.path();
        issued.write(dir / (name + ".pem"), dir / (name + ".key"));
        return (dir / name).string();
    }
};

}  // namespace

TEST_CASE("refused certificate rotations change nothing", "[certs][rotation]") {
    RotationFixture f;
    const auto old_sha = der_sha256(f.sim.client);
    REQUIRE(f.seen_after(0, old_sha));
    const auto list_before = f.ctl({"--json", "certs", "list"});
    REQUIRE(list_before.exit_code == 0);

    const auto good =
        sim::make_cert({.common_name = "terminal 2", .client_auth = true}, &f.sim.client_ca);
    const auto other =
        sim::make_cert({.common_name = "terminal 3", .client_auth = true}, &f.sim.client_ca);
    const auto expired = sim::make_cert({.common_name = "old terminal",
                                         .not_before_days = -400,
                                         .not_after_days = -1,
                                         .client_auth = true},
                                        &f.sim.client_ca);
    const auto stranger_ca = sim::make_cert({.common_name = "Another CA", .ca = true}, nullptr);
    const auto stranger =
        sim::make_cert({.common_name = "terminal", .client_auth = true}, &stranger_ca);
    const auto good_files = f.write("good", good);
    const auto other_files = f.write("other", other);
    const auto expired_files = f.write("expired", expired);
    const auto stranger_files = f.write("stranger", stranger);

    struct Case {
        const char* what;
        std::string cert;
        std::string key;
        const char* says;
    };
    const Case cases[] = {
        {"a key that does not match", good_files + ".pem", other_files + ".key", "does not match"},
        {"an expired certificate", expired_files + ".pem", expired_files + ".key", "expired"},
        {"a chain to another CA", stranger_files + ".pem", stranger_files + ".key", "chain"},
    };
    const auto mark = f.records();
    for (const auto& c : cases) {
        INFO(c.what);
        const auto r = f.ctl(
            {"certs", "rotate", "--use", "mynaportal-client", "--cert", c.cert, "--key", c.key});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains(c.says));
    }
    // Nothing changed: the same certificates listed, the old one still presented, nothing
    // in the store.
    CHECK(without_days(f.ctl({"--json", "certs", "list"}).out) == without_days(list_before.out));
    CHECK(f.seen_after(mark, old_sha));
    CHECK(f.only_after(mark, old_sha));
    CHECK_FALSE(std::filesystem::exists(f.daemon.state / "certs" / "mynaportal-client" / "state"));
    const auto audit = f.ctl({"audit", "export"});
    CHECK_THAT(audit.out, !Catch::Contains("certificate rotated"));
}

TEST_CASE("a rotated certificate is used by the next connection and rolled back",
          "[certs][rotation]") {
    RotationFixture f;
    const auto old_sha = der_sha256(f.sim.client);
    REQUIRE(f.seen_after(0, old_sha));
    const auto fresh =
        sim::make_cert({.common_name = "terminal 2026", .client_auth = true}, &f.sim.client_ca);
    const auto new_sha = der_sha256(fresh);
    const auto files = f.write("fresh", fresh);

    const auto rotated = f.ctl({"certs", "rotate", "--use", "mynaportal-client", "--cert",
                                files + ".pem", "--key", files + ".key"});
    INFO(rotated.err);
    REQUIRE(rotated.exit_code == 0);
    CHECK_THAT(rotated.out, Catch::Contains(new_sha));
    const auto after_rotation = f.records();
    CHECK(f.seen_after(after_rotation, new_sha));
    CHECK(f.process->running());  // no restart
    const auto list = f.ctl({"--json", "certs", "list"});
    CHECK_THAT(list.out, Catch::Contains(new_sha) && Catch::Contains("rotated generation 1"));

    const auto rolled = f.ctl({"certs", "rollback", "--use", "mynaportal-client"});
    INFO(rolled.err);
    REQUIRE(rolled.exit_code == 0);
    CHECK_THAT(rolled.out, Catch::Contains("configured certificate"));
    // A poll already under way may finish on its old connection; the ones after it use
    // the configured certificate again.
    std::this_thread::sleep_for(1500ms);
    const auto after_rollback = f.records();
    CHECK(f.seen_after(after_rollback, old_sha));
    CHECK(f.only_after(after_rollback, old_sha));
    CHECK(f.process->running());

    const auto audit = f.ctl({"audit", "export"});
    CHECK_THAT(audit.out, Catch::Contains("certificate rotated") &&
                              Catch::Contains("certificate rolled back") &&
                              Catch::Contains(new_sha));
}

TEST_CASE("a client certificate near its expiry is warned about in the log, status and metrics",
          "[certs][expiry]") {
    test::DaemonFixture daemon;
    const auto dir = daemon.dir.path();
    const auto ca = sim::make_cert({.common_name = "Test CA", .ca = true}, nullptr);
    const auto client =
        sim::make_cert({.common_name = "terminal", .not_after_days = 20, .client_auth = true}, &ca);
    ca.write(dir / "ca.pem", dir / "ca.key");
    client.write(dir / "client.pem", dir / "client.key");
    test::write_file(dir / "password", "secret\n", 0600);
    // A source that cannot connect (nothing listens there) still has its certificate.
    daemon.write_config(
        "[mynaportal]\nenabled = true\nbase_url = \"https://127.0.0.1:9/\"\n"
        "ca_file = \"" +
        (dir / "ca.pem").string() + "\"\nclient_cert = \"" + (dir / "client.pem").string() +
        "\"\nclient_key = \"" + (dir / "client.key").string() +
        "\"\nuser_id = \"K1234567\"\npassword_credential = \"" + (dir / "password").string() +
        "\"\n[inspect]\ntrust_anchors = [\"" + (dir / "ca.pem").string() +
        "\"]\n[roles]\nadmins = [\"user:" + test::current_user() + "\"]\n");
    test::Child d({test::program("sekishod"), "-c", daemon.config.string()},
                  {{"NOTIFY_SOCKET", ""}, {"CREDENTIALS_DIRECTORY", ""}}, dir / "sekishod.log");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (test::read_file(daemon.metrics).find("sekisho_certificate_days_left") ==
               std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    // 20 days from the certificate's making: 20 or, a second later, 19 whole days.
    const auto metrics = test::read_file(daemon.metrics);
    const auto log = test::read_file(dir / "sekishod.log");
    const std::string metric = "sekisho_certificate_days_left{use=\"mynaportal-client\"} ";
    CHECK_THAT(metrics, Catch::Contains(metric + "20") || Catch::Contains(metric + "19"));
    CHECK_THAT(log, Catch::Contains("client certificate expires soon") &&
                        (Catch::Contains("days_left=20") || Catch::Contains("days_left=19")));
    const auto status =
        test::run({test::program("sekishoctl"), "-c", daemon.config.string(), "status"});
    CHECK(status.exit_code == 0);
    CHECK_THAT(status.out, Catch::Contains("mynaportal-client certificate expires in 20 days") ||
                               Catch::Contains("mynaportal-client certificate expires in 19 days"));
    d.signal(SIGTERM);
    d.wait(10s);
}

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "certs/cert_store.hpp"
#include "tests/sim/pki.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::certs;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUse = "mynaportal-client";

config::SecretBytes secret(const std::string& s) {
    return config::SecretBytes(std::vector<unsigned char>(s.begin(), s.end()));
}

// A client certificate with an intermediate: what a rotation installs.
struct Issued {
    sim::Issued inter;
    sim::Issued leaf;
    Candidate candidate() const {
        return Candidate{leaf.cert_pem(), secret(leaf.key_pem()), inter.cert_pem()};
    }
};

Issued issue(const std::string& name) {
    static const auto root = sim::make_cert({.common_name = "Root CA", .ca = true}, nullptr);
    auto inter = sim::make_cert(
        {.common_name = "Intermediate CA", .ca = true, .key = sim::KeyType::p256}, &root);
    auto leaf = sim::make_cert(
        {.common_name = name, .client_auth = true, .key = sim::KeyType::p256}, &inter);
    return {std::move(inter), std::move(leaf)};
}

struct Store {
    test::TempDir tmp;
    fs::path dir = tmp / "certs";
    CertStore store{dir};
    fs::path use_dir = dir / std::string(kUse);
};

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

TEST_CASE("a fresh store has no current certificate", "[certs][store]") {
    Store s;
    CHECK(mode_of(s.dir) == 0700);
    for (const auto use : kClientUses) {
        CHECK_FALSE(s.store.current(use).has_value());
        CHECK_FALSE(s.store.entry(use).has_value());
    }
    CHECK(known_use("chukan-client"));
    CHECK_FALSE(known_use("../etc"));
    CHECK_THROWS_AS(s.store.current("server"), std::invalid_argument);
    CHECK_THROWS_AS(s.store.install("../x", issue("a").candidate()), std::invalid_argument);
}

TEST_CASE("an installed certificate is current, with its chain, as generation 1",
          "[certs][store]") {
    Store s;
    const auto a = issue("a");
    const auto before = now_seconds();
    CHECK(s.store.install(kUse, a.candidate()) == 1);
    const auto cur = s.store.current(kUse);
    REQUIRE(cur.has_value());
    CHECK(cur->cert_pem == a.leaf.cert_pem() + a.inter.cert_pem());
    CHECK(cur->key_pem.view() == a.leaf.key_pem());
    CHECK(cur->generation == 1);
    CHECK(cur->installed_at >= before);
    CHECK(cur->installed_at <= now_seconds());
    const auto e = s.store.entry(kUse);
    REQUIRE(e.has_value());
    CHECK(e->use == kUse);
    CHECK(e->generation == 1);
    CHECK(e->installed_at == cur->installed_at);
    CHECK(e->previous_generation == 0);
    CHECK_FALSE(s.store.current("chukan-client").has_value());
    // Another object on the same directory (the daemon after a restart) sees the same.
    CHECK(CertStore(s.dir).current(kUse)->generation == 1);
}

TEST_CASE("installs keep the current and the previous generation only", "[certs][store]") {
    Store s;
    CHECK(s.store.install(kUse, issue("a").candidate()) == 1);
    CHECK(s.store.install(kUse, issue("b").candidate()) == 2);
    CHECK(s.store.entry(kUse)->previous_generation == 1);
    CHECK(fs::exists(s.use_dir / "gen-1"));
    const auto c = issue("c");
    CHECK(s.store.install(kUse, c.candidate()) == 3);
    CHECK(s.store.entry(kUse)->previous_generation == 2);
    CHECK_FALSE(fs::exists(s.use_dir / "gen-1"));
    CHECK(fs::exists(s.use_dir / "gen-2" / "cert.pem"));
    CHECK(s.store.current(kUse)->key_pem.view() == c.leaf.key_pem());
}

TEST_CASE("rollback swaps current and previous, so a second one undoes the first",
          "[certs][store]") {
    Store s;
    const auto a = issue("a");
    const auto b = issue("b");
    s.store.install(kUse, a.candidate());
    s.store.install(kUse, b.candidate());
    CHECK(s.store.rollback(kUse) == 1);
    CHECK(s.store.current(kUse)->key_pem.view() == a.leaf.key_pem());
    CHECK(s.store.entry(kUse)->generation == 1);
    CHECK(s.store.entry(kUse)->previous_generation == 2);
    CHECK(s.store.rollback(kUse) == 2);
    CHECK(s.store.current(kUse)->key_pem.view() == b.leaf.key_pem());
    CHECK(s.store.entry(kUse)->previous_generation == 1);
    // After a rollback the next install still gets a new number, and drops generation 1.
    s.store.rollback(kUse);
    CHECK(s.store.install(kUse, issue("c").candidate()) == 3);
    CHECK(s.store.entry(kUse)->previous_generation == 1);
    CHECK_FALSE(fs::exists(s.use_dir / "gen-2"));
}

TEST_CASE("rolling back a store rotated once returns to the configured files", "[certs][store]") {
    Store s;
    s.store.install(kUse, issue("a").candidate());
    CHECK(s.store.rollback(kUse) == 0);
    CHECK_FALSE(s.store.current(kUse).has_value());
    const auto e = s.store.entry(kUse);
    REQUIRE(e.has_value());
    CHECK(e->generation == 0);
    CHECK(e->previous_generation == 1);
    CHECK(s.store.rollback(kUse) == 1);
    CHECK(s.store.current(kUse)->generation == 1);
}

TEST_CASE("rollback without a previous certificate is refused", "[certs][store]") {
    Store s;
    CHECK_THROWS_MATCHES(
        s.store.rollback("chukan-client"), std::runtime_error,
        Catch::Message("no previous certificate to roll back to for chukan-client"));
    CHECK_FALSE(fs::exists(s.dir / "chukan-client"));
}

TEST_CASE("store files are 0600 and directories 0700", "[certs][store]") {
    Store s;
    s.store.install(kUse, issue("a").candidate());
    s.store.install(kUse, issue("b").candidate());
    CHECK(mode_of(s.dir) == 0700);
    CHECK(mode_of(s.use_dir) == 0700);
    for (const auto* gen : {"gen-1", "gen-2"}) {
        CHECK(mode_of(s.use_dir / gen) == 0700);
        CHECK(mode_of(s.use_dir / gen / "cert.pem") == 0600);
        CHECK(mode_of(s.use_dir / gen / "key.pem") == 0600);
    }
    CHECK(mode_of(s.use_dir / "state") == 0600);
}

TEST_CASE("a store directory others can read is refused", "[certs][store]") {
    test::TempDir tmp;
    fs::create_directory(tmp / "certs");
    fs::permissions(tmp / "certs", fs::perms(0755));
    CHECK_THROWS_WITH(CertStore(tmp / "certs"),
                      Catch::Contains((tmp / "certs").string()) &&
                          Catch::Contains("accessible by group or others"));
    CHECK_THROWS_WITH(CertStore(tmp / "missing" / "certs"), Catch::Contains("cannot create"));
}

TEST_CASE("leftovers of a crashed install do not change what is in force", "[certs][store]") {
    Store s;
    const auto a = issue("a");
    s.store.install(kUse, a.candidate());
    const auto state_before = test::read_file(s.use_dir / "state");
    // Crashed before the state rename: a temporary state naming generation 2, a generation
    // directory still under its temporary name, and one renamed but never named in force.
    test::write_file(s.use_dir / ".state.tmp.4242",
                     "# sekisho certificate store state, version 1; do not edit\ncurrent=2\n",
                     0600);
    fs::create_directory(s.use_dir / ".gen-2.tmp");
    test::write_file(s.use_dir / ".gen-2.tmp" / "cert.pem", "-----BEGIN CERT", 0600);
    fs::create_directory(s.use_dir / "gen-2");
    test::write_file(s.use_dir / "gen-2" / "cert.pem", "half", 0600);
    const auto cur = s.store.current(kUse);
    REQUIRE(cur.has_value());
    CHECK(cur->generation == 1);
    CHECK(cur->key_pem.view() == a.leaf.key_pem());
    CHECK(test::read_file(s.use_dir / "state") == state_before);
    // The next install takes the number over and clears the rest away.
    const auto b = issue("b");
    CHECK(s.store.install(kUse, b.candidate()) == 2);
    CHECK(s.store.current(kUse)->key_pem.view() == b.leaf.key_pem());
    CHECK_FALSE(fs::exists(s.use_dir / ".gen-2.tmp"));
    CHECK_FALSE(fs::exists(s.use_dir / ".state.tmp.4242"));
}

TEST_CASE("a damaged state file is an error naming it", "[certs][store]") {
    Store s;
    s.store.install(kUse, issue("a").candidate());
    const auto state = s.use_dir / "state";
    SECTION("garbage") {
        test::write_file(state, "current=1\x01\n", 0600);
    }
    SECTION("truncated") {
        const auto text = test::read_file(state);
        test::write_file(state, text.substr(0, text.size() - 3), 0600);
    }
    SECTION("too large") {
        test::write_file(state, std::string(100'000, '#'), 0600);
    }
    CHECK_THROWS_WITH(s.store.current(kUse), Catch::Contains(state.string()));
    CHECK_THROWS_WITH(s.store.entry(kUse), Catch::Contains(state.string()));
    CHECK_THROWS_WITH(s.store.rollback(kUse), Catch::Contains(state.string()));
    // Not overwritten: an administrator decides what the damaged file meant.
    CHECK_THROWS_WITH(s.store.install(kUse, issue("b").candidate()),
                      Catch::Contains(state.string()));
}

TEST_CASE("a state naming a generation that is gone is an error naming both", "[certs][store]") {
    Store s;
    s.store.install(kUse, issue("a").candidate());
    fs::remove(s.use_dir / "gen-1" / "key.pem");
    CHECK_THROWS_WITH(s.store.current(kUse), Catch::Contains((s.use_dir / "gen-1").string()) &&
                                                 Catch::Contains("missing"));
}

TEST_CASE("rollback to a previous generation whose files are gone is refused", "[certs][store]") {
    Store s;
    s.store.install(kUse, issue("a").candidate());
    s.store.install(kUse, issue("b").candidate());
    fs::remove(s.use_dir / "gen-1" / "key.pem");
    CHECK_THROWS_WITH(s.store.rollback(kUse),
                      Catch::Contains("gen-1") && Catch::Contains("not rolling back"));
    CHECK(s.store.current(kUse)->generation == 2);
}

TEST_CASE("concurrent installs each get their own generation", "[certs][store]") {
    Store s;
    const auto a = issue("a");
    std::atomic<int> failures{0};
    auto worker = [&] {
        try {
            CertStore other(s.dir);
            for (int i = 0; i < 5; ++i)
                other.install(kUse, a.candidate());
        } catch (const std::exception&) {
            ++failures;
        }
    };
    std::thread t1(worker);
    std::thread t2(worker);
    t1.join();
    t2.join();
    CHECK(failures == 0);
    const auto e = s.store.entry(kUse);
    REQUIRE(e.has_value());
    CHECK(e->generation == 10);
    CHECK(e->previous_generation == 9);
    CHECK(s.store.current(kUse)->key_pem.view() == a.leaf.key_pem());
}

#include <catch2/catch.hpp>

#include "certs/rotation_check.hpp"
#include "tests/sim/pki.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::certs;
using namespace std::chrono_literals;

namespace {

config::SecretBytes secret(const std::string& s) {
    return config::SecretBytes(std::vector<unsigned char>(s.begin(), s.end()));
}

Candidate candidate(const sim::Issued& leaf, const std::string& chain = "") {
    return Candidate{leaf.cert_pem(), secret(leaf.key_pem()), chain};
}

sim::CertOptions client(int not_after_days = 365) {
    return {.common_name = "client",
            .not_after_days = not_after_days,
            .client_auth = true,
            .key = sim::KeyType::p256};
}

// A root CA in a file, the way certs.ca_file names it.
struct Pki {
    test::TempDir dir;
    sim::Issued root = sim::make_cert({.common_name = "Root CA", .ca = true}, nullptr);
    RotationPolicy policy;

    Pki() {
        test::write_file(dir / "ca.pem", root.cert_pem());
        policy.ca_file = dir / "ca.pem";
        policy.now = std::chrono::system_clock::now();
    }
};

}  // namespace

TEST_CASE("a good client certificate is accepted and described", "[certs][rotation]") {
    Pki pki;
    const auto leaf = sim::make_cert(client(), &pki.root);
    const CertInfo info = check_candidate(candidate(leaf), pki.policy);
    CHECK(info.subject == "CN=client,O=Sekisho Test");
    CHECK(info.issuer == "CN=Root CA,O=Sekisho Test");
}

TEST_CASE("a key that does not match the certificate is refused", "[certs][rotation]") {
    Pki pki;
    const auto leaf = sim::make_cert(client(), &pki.root);
    const auto other = sim::make_cert(client(), &pki.root);
    const Candidate c{leaf.cert_pem(), secret(other.key_pem()), ""};
    CHECK_THROWS_MATCHES(check_candidate(c, pki.policy), RotationRefused,
                         Catch::Message("the private key does not match the certificate"));
}

TEST_CASE("expired and not yet valid certificates are refused", "[certs][rotation]") {
    Pki pki;
    auto expired = client();
    expired.not_before_days = -30;
    expired.not_after_days = -1;
    CHECK_THROWS_WITH(check_candidate(candidate(sim::make_cert(expired, &pki.root)), pki.policy),
                      Catch::StartsWith("the certificate expired on ") && Catch::EndsWith(" UTC"));
    auto future = client();
    future.not_before_days = 2;
    CHECK_THROWS_WITH(check_candidate(candidate(sim::make_cert(future, &pki.root)), pki.policy),
                      Catch::StartsWith("the certificate is not valid before "));
    // The policy's clock decides, not the machine's.
    const auto leaf = sim::make_cert(client(), &pki.root);
    pki.policy.now += 24h * 400;
    CHECK_THROWS_WITH(check_candidate(candidate(leaf), pki.policy),
                      Catch::StartsWith("the certificate expired on "));
}

TEST_CASE("a certificate without explicit clientAuth usage is refused", "[certs][rotation]") {
    Pki pki;
    auto server_only = client();
    server_only.client_auth = false;
    server_only.server_auth = true;
    CHECK_THROWS_MATCHES(
        check_candidate(candidate(sim::make_cert(server_only, &pki.root)), pki.policy),
        RotationRefused, Catch::Message("the certificate lacks the clientAuth extended key usage"));
    auto no_eku = client();
    no_eku.client_auth = false;
    CHECK_THROWS_WITH(
        check_candidate(candidate(sim::make_cert(no_eku, &pki.root)), pki.policy),
        Catch::StartsWith("the certificate lacks the clientAuth extended key usage") &&
            Catch::Contains("no extendedKeyUsage extension"));
}

TEST_CASE("a certificate from another CA is refused", "[certs][rotation]") {
    Pki pki;
    const auto other_ca = sim::make_cert({.common_name = "Other CA", .ca = true}, nullptr);
    const auto leaf = sim::make_cert(client(), &other_ca);
    CHECK_THROWS_MATCHES(
        check_candidate(candidate(leaf), pki.policy), RotationRefused,
        Catch::Message("the chain does not reach the CA in " + pki.policy.ca_file.string() +
                       " (unable to get local issuer certificate)"));
}

TEST_CASE("a missing intermediate is refused, and accepted once the chain supplies it",
          "[certs][rotation]") {
    Pki pki;
    const auto inter = sim::make_cert({.common_name = "Intermediate CA", .ca = true}, &pki.root);
    const auto leaf = sim::make_cert(client(), &inter);
    CHECK_THROWS_WITH(check_candidate(candidate(leaf), pki.policy),
                      Catch::StartsWith("the chain does not reach the CA in ") &&
                          Catch::Contains("unable to get local issuer certificate"));
    CHECK(check_candidate(candidate(leaf, inter.cert_pem()), pki.policy).issuer ==
          "CN=Intermediate CA,O=Sekisho Test");
    // The intermediate may also follow the leaf in the certificate text.
    const Candidate appended{leaf.cert_pem() + inter.cert_pem(), secret(leaf.key_pem()), ""};
    CHECK_NOTHROW(check_candidate(appended, pki.policy));
}

TEST_CASE("the chain is verified at the policy's time", "[certs][rotation]") {
    test::TempDir dir;
    const auto short_root =
        sim::make_cert({.common_name = "Short CA", .not_after_days = 100, .ca = true}, nullptr);
    test::write_file(dir / "ca.pem", short_root.cert_pem());
    const auto leaf = sim::make_cert(client(3650), &short_root);
    RotationPolicy p{dir / "ca.pem", 30 * 24h, std::chrono::system_clock::now()};
    CHECK_NOTHROW(check_candidate(candidate(leaf), p));
    p.now += 200 * 24h;  // the leaf is still valid then, its CA no longer
    CHECK_THROWS_WITH(check_candidate(candidate(leaf), p),
                      Catch::Contains("(certificate has expired)"));
}

TEST_CASE("a certificate expiring within the margin is refused", "[certs][rotation]") {
    Pki pki;
    const auto leaf = sim::make_cert(client(10), &pki.root);
    CHECK_THROWS_WITH(check_candidate(candidate(leaf), pki.policy),
                      Catch::StartsWith("the certificate expires on ") &&
                          Catch::EndsWith(", within the 30-day margin (certs.min_remaining)"));
    pki.policy.min_remaining = 7 * 24h;
    CHECK_NOTHROW(check_candidate(candidate(leaf), pki.policy));
}

TEST_CASE("weak keys, stray private keys and unreadable texts are refused", "[certs][rotation]") {
    Pki pki;
    auto weak = client();
    weak.key = sim::KeyType::rsa1024;
    CHECK_THROWS_WITH(check_candidate(candidate(sim::make_cert(weak, &pki.root)), pki.policy),
                      Catch::StartsWith("the certificate chain is too weak"));
    const auto leaf = sim::make_cert(client(), &pki.root);
    const Candidate key_in_chain{leaf.cert_pem(), secret(leaf.key_pem()), leaf.key_pem()};
    CHECK_THROWS_WITH(check_candidate(key_in_chain, pki.policy),
                      Catch::Contains("contains a private key"));
    const Candidate no_cert{"", secret(leaf.key_pem()), ""};
    CHECK_THROWS_AS(check_candidate(no_cert, pki.policy), RotationRefused);
    const Candidate bad_key{leaf.cert_pem(), secret("-----BEGIN PRIVATE KEY-----\nAAAA\n"), ""};
    CHECK_THROWS_WITH(check_candidate(bad_key, pki.policy),
                      Catch::StartsWith("the private key does not parse"));
    const Candidate big{leaf.cert_pem() + std::string(64 * 1024, '\n'), secret(leaf.key_pem()), ""};
    CHECK_THROWS_WITH(check_candidate(big, pki.policy), Catch::Contains("larger than 64 KiB"));
    pki.policy.ca_file = pki.dir / "missing.pem";
    CHECK_THROWS_WITH(check_candidate(candidate(leaf), pki.policy),
                      "the CA bundle " + pki.policy.ca_file.string() +
                          " cannot be read (No such file or directory)");
    test::write_file(pki.policy.ca_file, "not a certificate\n", 0644);
    CHECK_THROWS_WITH(check_candidate(candidate(leaf), pki.policy),
                      Catch::Contains("missing.pem cannot be loaded ("));
}

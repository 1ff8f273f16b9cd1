#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include "certs/certificate_info.hpp"
#include "certs/expiry.hpp"
#include "tests/sim/pki.hpp"

using namespace sekisho;
using namespace sekisho::certs;
using namespace std::chrono_literals;

namespace {

// Computed without common/digest, so a mistake there would not hide here.
std::string independent_sha256(X509* cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert, &der);
    REQUIRE(len > 0);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    REQUIRE(EVP_Digest(der, static_cast<std::size_t>(len), md, &md_len, EVP_sha256(), nullptr) ==
            1);
    OPENSSL_free(der);
    std::string out;
    for (unsigned int i = 0; i < md_len; ++i) {
        char buf[3];
        std::snprintf(buf, sizeof buf, "%02x", md[i]);
        out += buf;
    }
    return out;
}

std::chrono::system_clock::time_point at(std::int64_t unix_seconds) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

}  // namespace

TEST_CASE("describe_pem reads names, SANs, validity and the SHA-256 of the DER", "[certs]") {
    const auto ca = sim::make_cert({.common_name = "Test CA", .ca = true}, nullptr);
    const auto leaf = sim::make_cert({.common_name = "client",
                                      .dns_names = {"client.test", "alt.client.test"},
                                      .ip_addresses = {"192.0.2.1", "2001:db8::1"},
                                      .not_before_days = -2,
                                      .not_after_days = 90,
                                      .client_auth = true,
                                      .key = sim::KeyType::p256},
                                     &ca);
    const auto infos = describe_pem(leaf.cert_pem() + ca.cert_pem());
    REQUIRE(infos.size() == 2);
    const CertInfo& i = infos[0];
    CHECK(i.subject == "CN=client,O=Sekisho Test");
    CHECK(i.issuer == "CN=Test CA,O=Sekisho Test");
    CHECK(i.sans == std::vector<std::string>{"DNS:client.test", "DNS:alt.client.test",
                                             "IP:192.0.2.1", "IP:2001:db8::1"});
    // The PKI sets the two times with separate clock reads.
    CHECK(std::abs(i.not_after - i.not_before - 92 * 86400) <= 1);
    const auto left = days_left(i, std::chrono::system_clock::now());
    CHECK((left == 89 || left == 90));
    CHECK(i.sha256 == independent_sha256(leaf.cert.get()));
    CHECK(i.sha256.size() == 64);
    CHECK(infos[1].subject == "CN=Test CA,O=Sekisho Test");
    CHECK(infos[1].sans.empty());
    CHECK(describe(leaf.cert.get()).sha256 == i.sha256);
}

TEST_CASE("names are shown in UTF-8, not as escapes", "[certs]") {
    const auto cert = sim::make_cert({.common_name = "関所健康保険組合"}, nullptr);
    CHECK(describe(cert.cert.get()).subject == "CN=関所健康保険組合,O=Sekisho Test");
}

TEST_CASE("describe_pem refuses empty, broken and oversized texts without echoing them",
          "[certs]") {
    const auto cert = sim::make_cert({.key = sim::KeyType::p256}, nullptr);
    CHECK_THROWS_WITH(describe_pem(""), Catch::Contains("no certificate"));
    CHECK_THROWS_WITH(describe_pem(cert.key_pem()), Catch::Contains("no certificate"));
    std::string broken = cert.cert_pem();
    broken[40] = '*';
    CHECK_THROWS_WITH(describe_pem(cert.cert_pem() + broken),
                      Catch::Contains("certificate 2 does not parse") &&
                          !Catch::Contains(cert.cert_pem().substr(30, 20)));
    std::string truncated = cert.cert_pem();
    truncated.resize(truncated.size() - 30);
    CHECK_THROWS_WITH(describe_pem(truncated), Catch::Contains("certificate 1 does not parse"));
    CHECK_THROWS_WITH(describe_pem(std::string(256 * 1024 + 1, 'A')),
                      Catch::Contains("larger than 256 KiB"));
}

TEST_CASE("days_left rounds down, also below zero", "[certs]") {
    CertInfo c;
    c.not_after = 1'800'000'000;
    CHECK(days_left(c, at(c.not_after)) == 0);
    CHECK(days_left(c, at(c.not_after - 1)) == 0);
    CHECK(days_left(c, at(c.not_after - 86399)) == 0);
    CHECK(days_left(c, at(c.not_after - 86400)) == 1);
    CHECK(days_left(c, at(c.not_after - 30 * 86400 - 1)) == 30);
    CHECK(days_left(c, at(c.not_after + 1)) == -1);
    CHECK(days_left(c, at(c.not_after + 86400)) == -1);
    CHECK(days_left(c, at(c.not_after + 86401)) == -2);
    CHECK(days_left(c, at(c.not_after) - 500ms) == 0);
    CHECK(days_left(c, at(c.not_after) + 500ms) == 0);
}

TEST_CASE("expiry classes at their boundaries", "[certs]") {
    CHECK(expiry_of(-1) == Expiry::expired);
    CHECK(expiry_of(-400) == Expiry::expired);
    CHECK(expiry_of(0) == Expiry::within_7_days);
    CHECK(expiry_of(7) == Expiry::within_7_days);
    CHECK(expiry_of(8) == Expiry::within_30_days);
    CHECK(expiry_of(30) == Expiry::within_30_days);
    CHECK(expiry_of(31) == Expiry::ok);
    CHECK(name(Expiry::ok) == "ok");
    CHECK(name(Expiry::within_30_days) == "expires within 30 days");
    CHECK(name(Expiry::within_7_days) == "expires within 7 days");
    CHECK(name(Expiry::expired) == "expired");
}

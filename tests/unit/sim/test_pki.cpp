#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <catch2/catch.hpp>

#include "tests/sim/pki.hpp"

using namespace sekisho::sim;

namespace {

// X509_verify_cert of `leaf` against `ca`, with an optional CRL; returns the error code.
int verify(const Issued& leaf, const Issued& ca, const std::string& crl_pem = "") {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca.cert.get());
    if (!crl_pem.empty()) {
        BIO* bio = BIO_new_mem_buf(crl_pem.data(), static_cast<int>(crl_pem.size()));
        X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        REQUIRE(crl != nullptr);
        X509_STORE_add_crl(store, crl);
        X509_CRL_free(crl);
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf.cert.get(), nullptr);
    const int ok = X509_verify_cert(ctx);
    const int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return err;
}

}  // namespace

TEST_CASE("the test PKI issues certificates that verify against their CA", "[sim][pki]") {
    const auto ca = make_cert({.common_name = "Test CA", .ca = true}, nullptr);
    const auto server = make_cert(
        {.common_name = "server", .dns_names = {"portal.test"}, .server_auth = true}, &ca);
    const auto signer =
        make_cert({.common_name = "signer", .non_repudiation = true, .key = KeyType::p256}, &ca);
    CHECK(verify(server, ca) == X509_V_OK);
    CHECK(verify(signer, ca) == X509_V_OK);
    CHECK(server.spki_sha256_base64().size() == 44);
    CHECK(server.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(signer.key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
}

TEST_CASE("expired, foreign and revoked certificates fail verification", "[sim][pki]") {
    const auto ca = make_cert({.common_name = "Test CA", .ca = true}, nullptr);
    const auto other_ca = make_cert({.common_name = "Other CA", .ca = true}, nullptr);
    const auto expired = make_cert({.not_before_days = -30, .not_after_days = -1}, &ca);
    const auto foreign = make_cert({}, &other_ca);
    const auto revoked = make_cert({}, &ca);
    CHECK(verify(expired, ca) == X509_V_ERR_CERT_HAS_EXPIRED);
    CHECK(verify(foreign, ca) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    CHECK(verify(revoked, ca, make_crl(ca, {&revoked})) == X509_V_ERR_CERT_REVOKED);
    CHECK(verify(expired, ca, make_crl(ca, {})) == X509_V_ERR_CERT_HAS_EXPIRED);
}

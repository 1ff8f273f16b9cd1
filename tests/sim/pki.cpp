#include "tests/sim/pki.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

namespace sekisho::sim {
namespace {

void check(bool ok, const char* what) {
    if (!ok)
        throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

std::string bio_string(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

std::string key_usage(const CertOptions& o) {
    std::string ku = "critical";
    if (o.digital_signature)
        ku += ",digitalSignature";
    if (o.non_repudiation)
        ku += ",nonRepudiation";
    if (o.ca)
        ku += ",keyCertSign,cRLSign";
    if (o.server_auth || o.client_auth)
        ku += ",keyEncipherment";
    return ku;
}

void add_extensions(X509* cert, X509* issuer, const CertOptions& o) {
    add_ext(cert, issuer, NID_basic_constraints, o.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    if (key_usage(o) != "critical")
        add_ext(cert, issuer, NID_key_usage, key_usage(o));
    std::string eku;
    if (o.server_auth)
        eku += "serverAuth";
    if (o.client_auth)
        eku += std::string(eku.empty() ? "" : ",") + "clientAuth";
    if (!eku.empty())
        add_ext(cert, issuer, NID_ext_key_usage, eku);
    std::string san;
    for (const auto& d : o.dns_names)
        san += (san.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& ip : o.ip_addresses)
        san += (san.empty() ? "IP:" : ",IP:") + ip;
    if (!san.empty())
        add_ext(cert, issuer, NID_subject_alt_name, san);
    add_ext(cert, issuer, NID_subject_key_identifier, "hash");
    if (issuer != cert)
        add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always");
}

}  // namespace

std::shared_ptr<EVP_PKEY> make_key(KeyType type) {
    EVP_PKEY* key = nullptr;
    switch (type) {
        case KeyType::rsa2048:
            key = EVP_RSA_gen(2048);
            break;
        case KeyType::rsa1024:
            key = EVP_RSA_gen(1024);
            break;
        case KeyType::p256:
            key = EVP_EC_gen("P-256");
            break;
    }
    check(key != nullptr, "key generation");
    return {key, EVP_PKEY_free};
}

Issued make_cert(const CertOptions& o, const Issued* issuer) {
    Issued out;
    out.key = make_key(o.key);
    std::shared_ptr<X509> cert(X509_new(), X509_free);
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    long serial = o.serial;
    if (serial == 0) {
        unsigned char r[4];
        RAND_bytes(r, sizeof r);
        serial = 1 + ((r[0] << 16 | r[1] << 8 | r[2]) & 0x7fffff);
    }
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(o.not_before_days) * 86400);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(o.not_after_days) * 86400);
    X509_set_pubkey(cert.get(), out.key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Sekisho Test"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(o.common_name.c_str()), -1,
                               -1, 0);
    X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : cert.get();
    EVP_PKEY* issuer_key = issuer != nullptr ? issuer->key.get() : out.key.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert));
    add_extensions(cert.get(), issuer_cert, o);
    check(X509_sign(cert.get(), issuer_key, o.sha1 ? EVP_sha1() : EVP_sha256()) > 0, "X509_sign");
    out.cert = cert;
    return out;
}

std::string Issued::cert_pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    check(PEM_write_bio_X509(bio, cert.get()) == 1, "PEM cert");
    return bio_string(bio);
}

std::string Issued::key_pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    check(PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM key");
    return bio_string(bio);
}

std::string Issued::spki_sha256_base64() const {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
    check(len > 0, "i2d_PUBKEY");
    unsigned char digest[32];
    unsigned int dlen = 0;
    EVP_Digest(der, static_cast<std::size_t>(len), digest, &dlen, EVP_sha256(), nullptr);
    OPENSSL_free(der);
    unsigned char b64[64];
    const int n = EVP_EncodeBlock(b64, digest, 32);
    return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

void Issued::write(const std::filesystem::path& cert_file,
                   const std::filesystem::path& key_file) const {
    std::ofstream(cert_file, std::ios::binary | std::ios::trunc) << cert_pem();
    {
        std::ofstream k(key_file, std::ios::binary | std::ios::trunc);
        k << key_pem();
    }
    check(::chmod(key_file.c_str(), 0600) == 0, "chmod key");
}

std::string make_crl(const Issued& ca, const std::vector<const Issued*>& revoked) {
    std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(X509_CRL_new(), X509_CRL_free);
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.cert.get()));
    std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> last(ASN1_TIME_new(), ASN1_TIME_free);
    std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next(ASN1_TIME_new(), ASN1_TIME_free);
    X509_gmtime_adj(last.get(), -86400);
    X509_gmtime_adj(next.get(), 30L * 86400);
    X509_CRL_set1_lastUpdate(crl.get(), last.get());
    X509_CRL_set1_nextUpdate(crl.get(), next.get());
    for (const Issued* r : revoked) {
        X509_REVOKED* entry = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(r->cert.get()));
        X509_REVOKED_set_revocationDate(entry, last.get());
        X509_CRL_add0_revoked(crl.get(), entry);
    }
    X509_CRL_sort(crl.get());
    check(X509_CRL_sign(crl.get(), ca.key.get(), EVP_sha256()) > 0, "X509_CRL_sign");
    BIO* bio = BIO_new(BIO_s_mem());
    check(PEM_write_bio_X509_CRL(bio, crl.get()) == 1, "PEM CRL");
    return bio_string(bio);
}

}  // namespace sekisho::sim

#pragma once
// A small PKI for simulators and tests: CAs, server, client and signer certificates with
// chosen key types, names, validity and usages, and CRLs. Everything it makes is for
// test use only.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::sim {

enum class KeyType { rsa2048, rsa1024, p256 };

struct CertOptions {
    std::string common_name = "sekisho test";
    std::vector<std::string> dns_names{};     // subjectAltName DNS entries
    std::vector<std::string> ip_addresses{};  // subjectAltName IP entries
    int not_before_days = -1;                 // relative to now; negative is in the past
    int not_after_days = 365;
    bool ca = false;
    bool server_auth = false;       // extendedKeyUsage serverAuth
    bool client_auth = false;       // extendedKeyUsage clientAuth
    bool digital_signature = true;  // keyUsage digitalSignature
    bool non_repudiation = false;   // keyUsage nonRepudiation
    KeyType key = KeyType::rsa2048;
    bool sha1 = false;  // sign the certificate with SHA-1 instead of SHA-256
    long serial = 0;    // 0: random
};

struct Issued {
    std::shared_ptr<EVP_PKEY> key;
    std::shared_ptr<X509> cert;

    std::string cert_pem() const;
    std::string key_pem() const;
    // base64 of SHA-256 over the DER SubjectPublicKeyInfo (HPKP style pin).
    std::string spki_sha256_base64() const;
    // Writes the certificate and the key (mode 0600) as PEM.
    void write(const std::filesystem::path& cert_file, const std::filesystem::path& key_file) const;
};

std::shared_ptr<EVP_PKEY> make_key(KeyType type);
// Self-signed when issuer is null.
Issued make_cert(const CertOptions& options, const Issued* issuer);
// A CRL by `ca` revoking the given certificates, valid from yesterday for 30 days, as PEM.
std::string make_crl(const Issued& ca, const std::vector<const Issued*>& revoked);

}  // namespace sekisho::sim

#include "certs/certificate_info.hpp"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <span>
#include <stdexcept>

#include "certs/openssl_util.hpp"
#include "common/digest.hpp"

namespace sekisho::certs {
namespace {

using detail::BioPtr;

// RFC 2253 order and escaping, but names in UTF-8 rather than \XX escapes, so an
// administrator can read a Japanese organisation name; control characters stay escaped.
constexpr unsigned long kNameFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string name_text(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, kNameFlags) < 0)
        throw std::runtime_error("cannot print a certificate name");
    return bio_text(bio.get());
}

// SAN strings come from the certificate's issuer and end up in `certs list` output and
// logs: bytes outside printable ASCII are shown as \xNN.
std::string printable(const ASN1_STRING* s) {
    std::string out;
    const auto* p = ASN1_STRING_get0_data(s);
    for (int i = 0; i < ASN1_STRING_length(s); ++i) {
        const unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
    char buf[INET6_ADDRSTRLEN] = {};
    const int len = ASN1_STRING_length(ip);
    const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
    if (family == 0 || ::inet_ntop(family, ASN1_STRING_get0_data(ip), buf, sizeof buf) == nullptr)
        return "<malformed address>";
    return buf;
}

// Other name types in OpenSSL's own notation ("DirName:…", "othername:…", "RID:…").
std::string other_name_text(const GENERAL_NAME* n) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || GENERAL_NAME_print(bio.get(), const_cast<GENERAL_NAME*>(n)) != 1)
        return "<unprintable name>";
    return bio_text(bio.get());
}

std::string san_text(const GENERAL_NAME* n) {
    switch (n->type) {
        case GEN_DNS:
            return "DNS:" + printable(n->d.dNSName);
        case GEN_IPADD:
            return "IP:" + ip_text(n->d.iPAddress);
        case GEN_EMAIL:
            return "email:" + printable(n->d.rfc822Name);
        case GEN_URI:
            return "URI:" + printable(n->d.uniformResourceIdentifier);
        default:
            return other_name_text(n);
    }
}

std::vector<std::string> sans_of(const X509* cert) {
    std::vector<std::string> out;
    const std::unique_ptr<GENERAL_NAMES, detail::Deleter<GENERAL_NAMES_free>> names(
        static_cast<GENERAL_NAMES*>(
            X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names)
        return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i)
        out.push_back(san_text(sk_GENERAL_NAME_value(names.get(), i)));
    return out;
}

// OPENSSL_free is a macro; unique_ptr needs a function.
void free_der(unsigned char* p) {
    OPENSSL_free(p);
}

// The same as tests/sim/common/tls_server.cpp (peer_cert_sha256): SHA-256 over i2d_X509, lower hex.
std::string der_sha256(const X509* cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert, &der);
    if (len <= 0)
        throw std::runtime_error("cannot DER-encode a certificate");
    const std::unique_ptr<unsigned char, detail::Deleter<free_der>> owned(der);
    return hex_lower(sha256(std::span<const unsigned char>(der, static_cast<std::size_t>(len))));
}

}  // namespace

CertInfo describe(const X509* cert) {
    if (cert == nullptr)
        throw std::invalid_argument("describe: no certificate");
    CertInfo info;
    info.subject = name_text(X509_get_subject_name(cert));
    info.issuer = name_text(X509_get_issuer_name(cert));
    info.sans = sans_of(cert);
    info.not_before = detail::unix_seconds(X509_get0_notBefore(cert));
    info.not_after = detail::unix_seconds(X509_get0_notAfter(cert));
    info.sha256 = der_sha256(cert);
    return info;
}

std::vector<CertInfo> describe_pem(std::string_view pem) {
    if (pem.size() > kMaxDescribePem)
        throw std::runtime_error("PEM text is larger than 256 KiB");
    const auto certs = detail::parse_certificates(pem, "PEM text");
    if (certs.empty())
        throw std::runtime_error("PEM text: no certificate found");
    std::vector<CertInfo> out;
    for (const auto& c : certs)
        out.push_back(describe(c.get()));
    return out;
}

std::int64_t days_left(const CertInfo& c, std::chrono::system_clock::time_point now) {
    const auto now_s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    const std::int64_t left = c.not_after - static_cast<std::int64_t>(now_s);
    constexpr std::int64_t kDay = 86400;
    // Rounded down also below zero: one second past not_after is day -1, i.e. expired.
    return left >= 0 ? left / kDay : -((-left + kDay - 1) / kDay);
}

}  // namespace sekisho::certs

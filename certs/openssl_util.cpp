#include "certs/openssl_util.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>
#include <ctime>
#include <stdexcept>

namespace sekisho::certs::detail {
namespace {

// Without a callback that refuses, OpenSSL would prompt on the terminal for the passphrase
// of an encrypted key.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

// PEM_read_bio_X509 ends on "no start line" once no certificate block is left; anything
// else means a certificate block was found that does not decode.
bool at_end_of_pem() {
    const unsigned long e = ERR_peek_last_error();
    return e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

}  // namespace

BioPtr memory_bio(std::string_view text) {
    if (text.size() > static_cast<std::size_t>(INT_MAX))
        throw std::runtime_error("PEM text too large");
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio)
        throw std::runtime_error("cannot allocate an OpenSSL memory BIO");
    return bio;
}

std::vector<X509Ptr> parse_certificates(std::string_view pem, std::string_view what) {
    ERR_clear_error();
    const BioPtr bio = memory_bio(pem);
    std::vector<X509Ptr> out;
    for (;;) {
        X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
        if (!cert)
            break;
        out.push_back(std::move(cert));
    }
    if (!at_end_of_pem())
        throw std::runtime_error(std::string(what) + ": certificate " +
                                 std::to_string(out.size() + 1) + " does not parse (" +
                                 take_openssl_error() + ")");
    ERR_clear_error();
    return out;
}

PkeyPtr parse_private_key(std::string_view pem) {
    ERR_clear_error();
    const BioPtr bio = memory_bio(pem);
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    ERR_clear_error();
    return key;
}

std::string take_openssl_error() {
    const unsigned long e = ERR_peek_last_error();
    const char* reason = e == 0 ? nullptr : ERR_reason_error_string(e);
    ERR_clear_error();
    return reason != nullptr ? reason : "unknown error";
}

std::int64_t unix_seconds(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        throw std::runtime_error("certificate has a malformed validity time");
    }
    return static_cast<std::int64_t>(::timegm(&tm));
}

std::string utc_text(std::int64_t unix_seconds) {
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    char buf[64];
    if (::gmtime_r(&t, &tm) == nullptr ||
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        return std::to_string(unix_seconds) + " (Unix time)";
    return buf;
}

}  // namespace sekisho::certs::detail

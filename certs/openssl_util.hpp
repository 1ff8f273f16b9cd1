#pragma once
// Internal to certs/: owning pointers for OpenSSL objects, PEM parsing that never prompts,
// the error text OpenSSL leaves behind, and certificate times. Not part of the interface.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::certs::detail {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;

// A read-only memory BIO over `text`: no copy is made, which matters for keys.
BioPtr memory_bio(std::string_view text);

// Every certificate of `pem`, in order (other PEM blocks are skipped); empty when there is
// none. Throws std::runtime_error "<what>: certificate N does not parse (reason)".
std::vector<X509Ptr> parse_certificates(std::string_view pem, std::string_view what);

// The private key of `pem`, or null when it does not parse or is encrypted.
PkeyPtr parse_private_key(std::string_view pem);

// The reason of the last OpenSSL error ("unknown error" when there is none); clears the
// thread's error queue so later calls start clean.
std::string take_openssl_error();

// Unix seconds of a certificate time; throws std::runtime_error when it is malformed.
std::int64_t unix_seconds(const ASN1_TIME* t);

// "2026-01-01 00:00:00 UTC", for messages to administrators.
std::string utc_text(std::int64_t unix_seconds);

}  // namespace sekisho::certs::detail

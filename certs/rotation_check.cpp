#include "certs/rotation_check.hpp"

#include <fcntl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "certs/openssl_util.hpp"

namespace sekisho::certs {
namespace {

using detail::PkeyPtr;
using detail::X509Ptr;
// sk_X509_free is a macro; unique_ptr needs a function.
void free_stack(STACK_OF(X509) * s) {
    sk_X509_free(s);
}
using StackPtr = std::unique_ptr<STACK_OF(X509), detail::Deleter<free_stack>>;
using StorePtr = std::unique_ptr<X509_STORE, detail::Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, detail::Deleter<X509_STORE_CTX_free>>;

// 112-bit security (RSA >= 2048, no SHA-1 signatures): what OpenSSL's security level 2
// demands, so a rotation cannot install a certificate a stricter TLS peer would refuse.
constexpr int kAuthLevel = 2;

struct Parsed {
    X509Ptr leaf;
    std::vector<X509Ptr> intermediates;  // those after the leaf, then those of chain_pem
    PkeyPtr key;
};

[[noreturn]] void refuse(const std::string& why) {
    throw RotationRefused(why);
}

std::int64_t seconds_of(std::chrono::system_clock::time_point t) {
    return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

void check_size(std::string_view text, std::string_view what) {
    if (text.size() > kMaxCandidatePem)
        refuse(std::string(what) + " is larger than 64 KiB");
}

// A key pasted among the certificates would be stored and shown as if it were public.
void check_no_key(std::string_view text, std::string_view what) {
    if (text.find("PRIVATE KEY-----") != std::string_view::npos)
        refuse(std::string(what) + " contains a private key; give the key separately");
}

std::vector<X509Ptr> certificates(std::string_view text, std::string_view what) {
    check_size(text, what);
    check_no_key(text, what);
    try {
        return detail::parse_certificates(text, what);
    } catch (const std::runtime_error& e) {
        refuse(e.what());
    }
}

Parsed parse(const Candidate& c) {
    check_size(c.key_pem.view(), "the private key");
    if (c.cert_pem.size() + c.chain_pem.size() > kMaxCandidatePem)
        refuse("the certificate and its chain together are larger than 64 KiB");
    auto leaf_and_more = certificates(c.cert_pem, "the certificate");
    if (leaf_and_more.empty())
        refuse("the certificate text holds no certificate");
    auto chain = certificates(c.chain_pem, "the chain");
    if (chain.empty() && c.chain_pem.find_first_not_of(" \t\r\n") != std::string::npos)
        refuse("the chain text holds no certificate");
    Parsed p;
    p.leaf = std::move(leaf_and_more.front());
    for (std::size_t i = 1; i < leaf_and_more.size(); ++i)
        p.intermediates.push_back(std::move(leaf_and_more[i]));
    for (auto& cert : chain)
        p.intermediates.push_back(std::move(cert));
    p.key = detail::parse_private_key(c.key_pem.view());
    if (!p.key)
        refuse("the private key does not parse (an unencrypted PEM private key is required)");
    return p;
}

void check_key(const Parsed& p) {
    if (X509_check_private_key(p.leaf.get(), p.key.get()) != 1) {
        detail::take_openssl_error();
        refuse("the private key does not match the certificate");
    }
}

void check_validity(const CertInfo& info, std::int64_t now) {
    if (now < info.not_before)
        refuse("the certificate is not valid before " + detail::utc_text(info.not_before));
    if (now > info.not_after)
        refuse("the certificate expired on " + detail::utc_text(info.not_after));
}

// X509_get_extended_key_usage answers "everything" when the extension is absent; a client
// certificate for these networks must name clientAuth explicitly.
void check_client_auth(X509* leaf) {
    const std::uint32_t xku = X509_get_extended_key_usage(leaf);
    if ((X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) == 0)
        refuse(
            "the certificate lacks the clientAuth extended key usage "
            "(it has no extendedKeyUsage extension)");
    if ((xku & XKU_SSL_CLIENT) == 0)
        refuse("the certificate lacks the clientAuth extended key usage");
}

StackPtr untrusted_stack(const Parsed& p) {
    StackPtr stack(sk_X509_new_null());
    if (!stack)
        refuse("out of memory while building the chain");
    for (const auto& cert : p.intermediates)
        if (sk_X509_push(stack.get(), cert.get()) == 0)
            refuse("out of memory while building the chain");
    return stack;  // borrows the certificates: sk_X509_free does not free them
}

StorePtr ca_store(const std::filesystem::path& ca_file) {
    StorePtr store(X509_STORE_new());
    if (!store)
        refuse("out of memory while loading the CA bundle");
    // OpenSSL reports a missing or unreadable file only as "system lib".
    const int fd = ::open(ca_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        refuse("the CA bundle " + ca_file.string() + " cannot be read (" + std::strerror(errno) +
               ")");
    ::close(fd);
    if (X509_STORE_load_file(store.get(), ca_file.c_str()) != 1)
        refuse("the CA bundle " + ca_file.string() + " cannot be loaded (" +
               detail::take_openssl_error() + ")");
    return store;
}

std::string chain_refusal(int err, const std::filesystem::path& ca_file) {
    const std::string why = X509_verify_cert_error_string(err);
    switch (err) {
        case X509_V_ERR_EE_KEY_TOO_SMALL:
        case X509_V_ERR_CA_KEY_TOO_SMALL:
        case X509_V_ERR_CA_MD_TOO_WEAK:
            return "the certificate chain is too weak (" + why + "; 112-bit strength required)";
        default:
            return "the chain does not reach the CA in " + ca_file.string() + " (" + why + ")";
    }
}

void check_chain(const Parsed& parsed, const RotationPolicy& p) {
    const StorePtr store = ca_store(p.ca_file);
    const StackPtr untrusted = untrusted_stack(parsed);
    const StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx ||
        X509_STORE_CTX_init(ctx.get(), store.get(), parsed.leaf.get(), untrusted.get()) != 1)
        refuse("cannot set up the chain verification (" + detail::take_openssl_error() + ")");
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(seconds_of(p.now)));
    X509_VERIFY_PARAM_set_auth_level(param, kAuthLevel);
    if (X509_verify_cert(ctx.get()) != 1) {
        const int err = X509_STORE_CTX_get_error(ctx.get());
        detail::take_openssl_error();
        refuse(chain_refusal(err, p.ca_file));
    }
}

std::string margin_text(std::chrono::seconds margin) {
    const auto s = margin.count();
    return s % 86400 == 0 ? std::to_string(s / 86400) + "-day" : std::to_string(s) + "-second";
}

void check_margin(const CertInfo& info, const RotationPolicy& p) {
    if (info.not_after - seconds_of(p.now) < p.min_remaining.count())
        refuse("the certificate expires on " + detail::utc_text(info.not_after) + ", within the " +
               margin_text(p.min_remaining) + " margin (certs.min_remaining)");
}

CertInfo describe_leaf(const Parsed& parsed) {
    try {
        return describe(parsed.leaf.get());
    } catch (const std::runtime_error& e) {
        refuse(std::string("the certificate cannot be read: ") + e.what());
    }
}

}  // namespace

CertInfo check_candidate(const Candidate& c, const RotationPolicy& p) {
    const Parsed parsed = parse(c);
    check_key(parsed);
    const CertInfo info = describe_leaf(parsed);
    check_validity(info, seconds_of(p.now));
    check_client_auth(parsed.leaf.get());
    check_chain(parsed, p);
    check_margin(info, p);
    return info;
}

}  // namespace sekisho::certs

#include "tests/sim/filings/signer_store.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace sekisho::sim::filings {
namespace {

namespace fs = std::filesystem;

struct SignerSpec {
    Signer which;
    const char* file;  // signer-<file>.pem / .key
    CertOptions options;
    bool foreign_issuer = false;
    bool self_signed = false;
};

CertOptions signer_options(const char* cn, KeyType key, int not_before = -1, int not_after = 825) {
    return {.common_name = cn,
            .not_before_days = not_before,
            .not_after_days = not_after,
            .non_repudiation = true,
            .key = key};
}

std::array<SignerSpec, 10> specs() {
    CertOptions no_usage =
        signer_options("Sekisho Test Signer without signing usage", KeyType::rsa2048);
    no_usage.digital_signature = false;
    no_usage.non_repudiation = false;
    no_usage.client_auth = true;  // keyUsage keyEncipherment only
    return {{
        {Signer::rsa, "rsa", signer_options("Sekisho Test Signer RSA", KeyType::rsa2048)},
        {Signer::p256, "p256", signer_options("Sekisho Test Signer P-256", KeyType::p256)},
        {Signer::rsa1024, "rsa1024",
         signer_options("Sekisho Test Signer RSA-1024", KeyType::rsa1024)},
        {Signer::expired, "expired",
         signer_options("Sekisho Test Signer expired", KeyType::p256, -400, -1)},
        {Signer::not_yet_valid, "not-yet-valid",
         signer_options("Sekisho Test Signer not yet valid", KeyType::rsa2048, 30, 400)},
        {Signer::revoked_rsa, "revoked-rsa",
         signer_options("Sekisho Test Signer revoked RSA", KeyType::rsa2048)},
        {Signer::revoked_p256, "revoked-p256",
         signer_options("Sekisho Test Signer revoked P-256", KeyType::p256)},
        {Signer::foreign, "untrusted",
         signer_options("Sekisho Test Signer of an untrusted CA", KeyType::rsa2048), true},
        {Signer::self_signed, "self-signed",
         signer_options("Sekisho Test Signer self-signed", KeyType::rsa2048), false, true},
        {Signer::no_signing_usage, "no-signing-usage", no_usage},
    }};
}

template <class T, class F>
std::shared_ptr<T> read_pem(const fs::path& file, F reader, void (*free_fn)(T*)) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), std::fclose);
    if (!f)
        return nullptr;
    T* obj = reader(f.get(), nullptr, nullptr, nullptr);
    return obj == nullptr ? nullptr : std::shared_ptr<T>(obj, free_fn);
}

std::optional<Issued> load(const fs::path& cert_file, const fs::path& key_file) {
    Issued out;
    out.cert = read_pem<X509>(cert_file, PEM_read_X509, X509_free);
    out.key = read_pem<EVP_PKEY>(key_file, PEM_read_PrivateKey, EVP_PKEY_free);
    if (!out.cert || !out.key || X509_check_private_key(out.cert.get(), out.key.get()) != 1)
        return std::nullopt;
    return out;
}

int key_bits(KeyType type) {
    return type == KeyType::rsa1024 ? 1024 : type == KeyType::p256 ? 256 : 2048;
}

// The loaded certificate still is what `options` would make today: issued by `issuer`, same
// key type and size, and in the same validity state (valid, expired, not yet valid).
bool still_fits(const Issued& cert, const CertOptions& options, const Issued& issuer) {
    X509* c = cert.cert.get();
    if (X509_check_issued(issuer.cert.get(), c) != X509_V_OK ||
        X509_verify(c, issuer.key.get()) != 1 ||
        EVP_PKEY_get_bits(cert.key.get()) != key_bits(options.key))
        return false;
    const std::time_t now = std::time(nullptr);
    std::time_t soon = now + 7 * 86400;
    const bool started = X509_cmp_time(X509_get0_notBefore(c), nullptr) < 0;
    const bool ended = X509_cmp_time(X509_get0_notAfter(c), nullptr) < 0;
    const bool ends_soon = X509_cmp_time(X509_get0_notAfter(c), &soon) < 0;
    if (options.not_after_days < 0)
        return ended;
    if (options.not_before_days > 0)
        return !started;
    return started && !ends_soon;
}

Issued load_or_issue(const fs::path& dir, const std::string& stem, const CertOptions& options,
                     const Issued* issuer, bool create = true) {
    const fs::path cert_file = dir / (stem + ".pem");
    const fs::path key_file = dir / (stem + ".key");
    if (auto loaded = load(cert_file, key_file)) {
        if (still_fits(*loaded, options, issuer != nullptr ? *issuer : *loaded))
            return *loaded;
    }
    if (!create)
        return {};
    Issued made = make_cert(options, issuer);
    made.write(cert_file, key_file);
    return made;
}

CertOptions ca_options(const char* cn) {
    return {.common_name = cn, .not_after_days = 3650, .ca = true, .digital_signature = false};
}

const SignerSpec& spec_of(Signer which) {
    static const auto all = specs();
    for (const auto& s : all) {
        if (s.which == which)
            return s;
    }
    throw std::logic_error("unknown signer");
}

bool revoked(Signer which) {
    return which == Signer::revoked_rsa || which == Signer::revoked_p256;
}

}  // namespace

SignerStore::SignerStore(fs::path ca_dir) : dir_(std::move(ca_dir)) {
    fs::create_directories(dir_);
    if (auto loaded = load(dir_ / "trust-anchor.pem", dir_ / "trust-anchor.key")) {
        anchor_ = *loaded;
    } else {
        anchor_ = make_cert(ca_options("Sekisho Test Trust Anchor"), nullptr);
        anchor_.write(dir_ / "trust-anchor.pem", dir_ / "trust-anchor.key");
    }
    untrusted_ =
        load_or_issue(dir_, "untrusted-ca", ca_options("Sekisho Untrusted Test CA"), nullptr);
    // Revoked signers of earlier runs stay on the CRL.
    for (const Signer which : {Signer::revoked_rsa, Signer::revoked_p256}) {
        const auto& spec = spec_of(which);
        Issued old =
            load_or_issue(dir_, std::string("signer-") + spec.file, spec.options, &anchor_, false);
        if (old.cert)
            signers_[which] = old;
    }
    write_crl();
}

const Issued& SignerStore::get(Signer which) const {
    const auto it = signers_.find(which);
    return it != signers_.end() ? it->second : load_or_make(which);
}

const Issued& SignerStore::load_or_make(Signer which) const {
    const auto& spec = spec_of(which);
    const Issued* issuer = spec.self_signed      ? nullptr
                           : spec.foreign_issuer ? &untrusted_
                                                 : &anchor_;
    signers_[which] = load_or_issue(dir_, std::string("signer-") + spec.file, spec.options, issuer);
    if (revoked(which))
        write_crl();
    return signers_.at(which);
}

void SignerStore::write_crl() const {
    std::vector<const Issued*> revoked_signers;
    for (const auto& [which, issued] : signers_) {
        if (revoked(which))
            revoked_signers.push_back(&issued);
    }
    std::ofstream(dir_ / "crl.pem", std::ios::binary | std::ios::trunc)
        << make_crl(anchor_, revoked_signers);
}

}  // namespace sekisho::sim::filings

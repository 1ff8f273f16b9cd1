// check_signature (spec §3) on packages written by `sekisho-sim make-filings`: every package
// whose sidecar expects only E-SIG-* codes (or accept) gets exactly those codes; re-signed
// variants show that References outside the package are refused without any file or network
// access, and how trust anchors, CRLs and the inspection time decide.

#include <archive.h>
#include <archive_entry.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <xmlsec/io.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/inspect/signature.hpp"
#include "daemon/inspect/trust_store.hpp"
#include "tests/sim/filings/signer_store.hpp"
#include "tests/sim/filings/xml_signer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace insp = sekisho::inspect;
namespace sim = sekisho::sim::filings;
using sekisho::test::TempDir;

constexpr std::time_t kDay = 86400;

// --- the generated corpus, made once per test process -----------------------------------------

struct Sidecar {
    fs::path zip;
    std::string auth_method;
    std::set<std::string> codes;
    std::string description;
};

struct Corpus {
    TempDir dir;
    fs::path out = dir / "out";
    fs::path ca = dir / "ca";
    std::vector<Sidecar> packages;

    Corpus() {
        const auto done = sekisho::test::run({sekisho::test::program("sekisho-sim").string(),
                                              "make-filings", "--out", out.string(), "--ca-dir",
                                              ca.string(), "--count", "12", "--invalid"});
        if (done.exit_code != 0)
            throw std::runtime_error("sekisho-sim make-filings failed: " + done.err);
        for (const auto& f : fs::directory_iterator(out)) {
            if (f.path().extension() == ".json")
                packages.push_back(read_sidecar(f.path()));
        }
    }

    static Sidecar read_sidecar(const fs::path& file) {
        const json::object o = json::parse(sekisho::test::read_file(file)).as_object();
        Sidecar s{fs::path(file).replace_extension(".zip"),
                  std::string(o.at("auth_method").as_string()),
                  {},
                  std::string(o.at("description").as_string())};
        for (const auto& code : o.at("expect").at("codes").as_array())
            s.codes.insert(std::string(code.as_string()));
        return s;
    }
};

Corpus& corpus() {
    static Corpus c;
    return c;
}

// --- reading a package (libarchive; the inspector's ZIP reader is tested on its own) -----------

// The folder's files, or nullopt when libarchive cannot read the ZIP completely.
std::optional<insp::Package> read_package(const fs::path& zip_file) {
    const std::string zip = sekisho::test::read_file(zip_file);
    std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
        return std::nullopt;
    insp::Package p;
    archive_entry* e = nullptr;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
        const std::string path = archive_entry_pathname(e);
        std::string bytes;
        char buf[16384];
        la_ssize_t n = 0;
        while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0)
            bytes.append(buf, static_cast<std::size_t>(n));
        if (n < 0)
            return std::nullopt;
        if (archive_entry_filetype(e) == AE_IFDIR)
            continue;
        const auto slash = path.find('/');
        if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos)
            return std::nullopt;
        p.folder = path.substr(0, slash);
        p.procedure_id = p.folder.substr(0, p.folder.find('('));
        p.entries.push_back({path.substr(slash + 1), std::move(bytes)});
    }
    if (rc != ARCHIVE_EOF)
        return std::nullopt;
    return p;
}

using Doc = std::unique_ptr<xmlDoc, void (*)(xmlDoc*)>;

Doc parse(const std::string& xml) {
    return Doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "kousei.xml", "UTF-8",
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
               xmlFreeDoc);
}

std::string kousei_of(const insp::Package& p) {
    const insp::Entry* e = p.find("kousei.xml");
    return e == nullptr ? std::string() : e->bytes;
}

insp::Options options_for(const std::string& auth_method) {
    insp::Options o;
    o.auth_method =
        auth_method == "gbizid" ? insp::AuthMethod::gbizid : insp::AuthMethod::certificate;
    o.trust_anchors = {sekisho::test::read_file(corpus().ca / "trust-anchor.pem")};
    o.crls = {sekisho::test::read_file(corpus().ca / "crl.pem")};
    o.now = std::time(nullptr);
    return o;
}

std::set<std::string> sig_codes(const insp::Verdict& v) {
    std::set<std::string> out;
    for (const auto& c : v.codes()) {
        if (c.rfind("E-SIG-", 0) == 0)
            out.insert(c);
    }
    return out;
}

insp::Verdict check(const insp::Package& p, const std::string& kousei,
                    const insp::Options& options) {
    insp::init_signature_library();
    Doc doc = parse(kousei);
    REQUIRE(doc != nullptr);
    insp::Verdict v;
    insp::check_signature(doc.get(), p, options, v);
    return v;
}

insp::Verdict check(const insp::Package& p, const insp::Options& options) {
    return check(p, kousei_of(p), options);
}

bool only_sig_codes(const std::set<std::string>& codes) {
    for (const auto& c : codes) {
        if (c.rfind("E-SIG-", 0) != 0)
            return false;
    }
    return true;
}

// Positions and details name rules, never a signer's or an office's name.
void check_no_personal_data(const insp::Verdict& v) {
    for (const auto& r : v.reasons()) {
        for (const char* banned : {"Sekisho Test", "株式会社", "CN=", "@"}) {
            CHECK(r.where.find(banned) == std::string::npos);
            CHECK(r.detail.find(banned) == std::string::npos);
        }
    }
}

const Sidecar& first_package(const std::string& code, const std::string& description_part) {
    for (const auto& s : corpus().packages) {
        if (s.codes == std::set<std::string>{code} &&
            s.description.find(description_part) != std::string::npos)
            return s;
    }
    FAIL("no generated package " << code << " with description containing " << description_part);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("every generated signature case and every valid package gets exactly its E-SIG codes") {
    std::map<std::string, int> seen;
    int rsa_accepts = 0;
    int p256_accepts = 0;
    int unsigned_gbizid = 0;
    for (const auto& s : corpus().packages) {
        if (!only_sig_codes(s.codes))
            continue;
        INFO(s.zip.filename().string() << ": " << s.description);
        const auto p = read_package(s.zip);
        REQUIRE(p.has_value());
        const insp::Verdict v = check(*p, options_for(s.auth_method));
        CHECK(sig_codes(v) == s.codes);
        CHECK(v.codes() == sig_codes(v));
        check_no_personal_data(v);
        for (const auto& c : s.codes)
            ++seen[c];
        if (s.codes.empty()) {
            const std::string k = kousei_of(*p);
            rsa_accepts += k.find("xmldsig-more#rsa-sha256") != std::string::npos;
            p256_accepts += k.find("xmldsig-more#ecdsa-sha256") != std::string::npos;
            unsigned_gbizid +=
                s.auth_method == "gbizid" && k.find("ds:Signature") == std::string::npos;
        }
    }
    for (const char* c : {"E-SIG-MISSING", "E-SIG-INVALID", "E-SIG-UNCOVERED", "E-SIG-UNTRUSTED",
                          "E-SIG-EXPIRED", "E-SIG-REVOKED", "E-SIG-WEAK"}) {
        INFO(c);
        CHECK(seen[c] >= 2);
    }
    CHECK(rsa_accepts >= 1);
    CHECK(p256_accepts >= 1);
    CHECK(unsigned_gbizid >= 1);
}

TEST_CASE("packages breaking only other rules get no E-SIG code when they can be read") {
    int checked = 0;
    for (const auto& s : corpus().packages) {
        if (s.codes.empty() || std::any_of(s.codes.begin(), s.codes.end(),
                                           [](const auto& c) { return c.rfind("E-SIG-", 0) == 0; }))
            continue;
        INFO(s.zip.filename().string() << ": " << s.description);
        const auto p = read_package(s.zip);
        if (!p || parse(kousei_of(*p)) == nullptr)
            continue;  // broken ZIP or kousei.xml: the inspector stops before the signature
        CHECK(sig_codes(check(*p, options_for(s.auth_method))).empty());
        ++checked;
    }
    CHECK(checked >= 20);
}

// --- re-signed variants of a valid package ----------------------------------------------------

namespace {

// Serves the in-process signer's file References. xmlsec's IO callbacks are process-global
// and check_signature installs its own on each call, so each signing installs these first.
const std::map<std::string, std::string>* g_sign_files = nullptr;

struct SignReader {
    const std::string* bytes;
    std::size_t pos;
};

int sign_match(const char* uri) {
    return g_sign_files != nullptr && g_sign_files->count(uri) != 0 ? 1 : 0;
}
void* sign_open(const char* uri) {
    return new SignReader{&g_sign_files->at(uri), 0};
}
int sign_read(void* ctx, char* buf, int len) {
    auto* r = static_cast<SignReader*>(ctx);
    const std::size_t n = std::min(static_cast<std::size_t>(len), r->bytes->size() - r->pos);
    std::memcpy(buf, r->bytes->data() + r->pos, n);
    r->pos += n;
    return static_cast<int>(n);
}
int sign_close(void* ctx) {
    delete static_cast<SignReader*>(ctx);
    return 0;
}

std::string unsigned_kousei(const std::string& signed_kousei) {
    const auto from = signed_kousei.find("<ds:Signature");
    const auto to = signed_kousei.find("</ds:Signature>");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    std::string out = signed_kousei;
    out.erase(from, to + std::string_view("</ds:Signature>").size() - from);
    return out;
}

struct Base {
    insp::Package package;
    std::vector<std::string> file_names;  // every entry but kousei.xml, in ZIP order
};

Base valid_certificate_package() {
    for (const auto& s : corpus().packages) {
        if (!s.codes.empty() || s.auth_method != "certificate")
            continue;
        Base b{*read_package(s.zip), {}};
        for (const auto& e : b.package.entries) {
            if (e.name != "kousei.xml")
                b.file_names.push_back(e.name);
        }
        return b;
    }
    FAIL("no valid certificate package generated");
    throw std::logic_error("unreachable");
}

// kousei.xml of `base` signed again by `signer`, referencing `references` (which may name
// things outside the package, served to the signer from `outside`).
std::string resign(const Base& base, const std::vector<std::string>& references,
                   const std::map<std::string, std::string>& outside = {},
                   sim::Signer signer = sim::Signer::rsa) {
    std::map<std::string, std::string> files = outside;
    for (const auto& e : base.package.entries) {
        if (e.name != "kousei.xml")
            files[e.name] = e.bytes;
    }
    insp::init_signature_library();  // xmlsec must be up before its IO callbacks are set
    const sim::SignerStore store(corpus().ca);
    const sim::SignSpec spec{.signer = &store.get(signer), .references = references};
    xmlSecIOCleanupCallbacks();
    REQUIRE(xmlSecIORegisterCallbacks(sign_match, sign_open, sign_read, sign_close) == 0);
    g_sign_files = &files;
    std::string out = sim::sign_kousei(unsigned_kousei(kousei_of(base.package)), files, spec);
    g_sign_files = nullptr;
    return out;
}

std::vector<std::string> plus(std::vector<std::string> names, const std::string& more) {
    names.push_back(more);
    return names;
}

using Codes = std::set<std::string>;

}  // namespace

TEST_CASE("a package re-signed in this test verifies so the variants below test one change") {
    const Base base = valid_certificate_package();
    const auto v = check(base.package, resign(base, base.file_names), options_for("certificate"));
    CHECK(v.accepted());
}

TEST_CASE("a file URL Reference to an existing file is refused without reading it") {
    const Base base = valid_certificate_package();
    TempDir outside;
    const std::string secret = "bytes the signer digested and the inspector must never read\n";
    sekisho::test::write_file(outside / "passwd", secret);
    const std::string uri = "file://" + (outside / "passwd").string();
    const std::string kousei = resign(base, plus(base.file_names, uri), {{uri, secret}});
    // Had the file been read, its digest would match and only E-SIG-UNCOVERED would remain.
    CHECK(sig_codes(check(base.package, kousei, options_for("certificate"))) ==
          Codes{"E-SIG-UNCOVERED", "E-SIG-INVALID"});
}

TEST_CASE("an absolute path Reference to an existing file is refused without reading it") {
    const Base base = valid_certificate_package();
    TempDir outside;
    const std::string secret = "another secret\n";
    sekisho::test::write_file(outside / "secret.txt", secret);
    const std::string uri = (outside / "secret.txt").string();
    const std::string kousei = resign(base, plus(base.file_names, uri), {{uri, secret}});
    CHECK(sig_codes(check(base.package, kousei, options_for("certificate"))) ==
          Codes{"E-SIG-UNCOVERED", "E-SIG-INVALID"});
}

TEST_CASE("an http Reference is refused and no connection is made") {
    const Base base = valid_certificate_package();
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listener, 8) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const std::string uri = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x";
    const std::string kousei = resign(base, plus(base.file_names, uri), {{uri, "remote"}});
    CHECK(sig_codes(check(base.package, kousei, options_for("certificate"))) ==
          Codes{"E-SIG-UNCOVERED", "E-SIG-INVALID"});
    // A connection attempt would wait in the backlog.
    const int accepted = accept(listener, nullptr, nullptr);
    CHECK(accepted < 0);
    CHECK((errno == EAGAIN || errno == EWOULDBLOCK));
    if (accepted >= 0)
        close(accepted);
    close(listener);
}

TEST_CASE("a Reference to kousei.xml itself is not a file Reference") {
    const Base base = valid_certificate_package();
    const std::string kousei = resign(base, plus(base.file_names, "kousei.xml"),
                                      {{"kousei.xml", kousei_of(base.package)}});
    CHECK(sig_codes(check(base.package, kousei, options_for("certificate"))) ==
          Codes{"E-SIG-UNCOVERED", "E-SIG-INVALID"});
}

TEST_CASE("another element claiming the 構成情報 ID is refused (signature wrapping)") {
    const Base base = valid_certificate_package();
    std::string kousei = resign(base, base.file_names);
    const auto at = kousei.find("<署名情報>");
    REQUIRE(at != std::string::npos);
    kousei.insert(at, "<偽装 xml:id=\"構成情報\"/>");
    CHECK(sig_codes(check(base.package, kousei, options_for("certificate"))) ==
          Codes{"E-SIG-INVALID"});
}

TEST_CASE("two signatures in 署名情報 are not exactly one") {
    const Base base = valid_certificate_package();
    std::string kousei = resign(base, base.file_names);
    const auto from = kousei.find("<ds:Signature");
    const auto to = kousei.find("</ds:Signature>") + std::string_view("</ds:Signature>").size();
    kousei.insert(to, kousei.substr(from, to - from));
    CHECK(sig_codes(check(base.package, kousei, options_for("certificate"))) ==
          Codes{"E-SIG-MISSING"});
}

// --- what the configuration decides ------------------------------------------------------------

TEST_CASE("without a trust anchor nothing is trusted") {
    const Base base = valid_certificate_package();
    auto options = options_for("certificate");
    options.trust_anchors.clear();
    CHECK(sig_codes(check(base.package, options)) == Codes{"E-SIG-UNTRUSTED"});
}

TEST_CASE("revocation is decided by the configured CRLs in PEM or DER") {
    const auto& revoked = first_package("E-SIG-REVOKED", "RSA signer");
    const auto p = read_package(revoked.zip);
    REQUIRE(p.has_value());
    auto options = options_for("certificate");
    SECTION("no CRL configured for the issuer: not revoked (documented policy)") {
        options.crls.clear();
        CHECK(check(*p, options).accepted());
    }
    SECTION("the same CRL as DER") {
        const std::string pem = options.crls.front();
        std::unique_ptr<BIO, int (*)(BIO*)> bio(
            BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
        std::unique_ptr<X509_CRL, void (*)(X509_CRL*)> crl(
            PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr), X509_CRL_free);
        REQUIRE(crl != nullptr);
        unsigned char* der = nullptr;
        const int n = i2d_X509_CRL(crl.get(), &der);
        REQUIRE(n > 0);
        options.crls = {std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(n))};
        OPENSSL_free(der);
        CHECK(sig_codes(check(*p, options)) == Codes{"E-SIG-REVOKED"});
    }
    SECTION("a broken CRL is a configuration error, not a verdict") {
        options.crls = {"not a CRL"};
        const insp::Options broken = options;
        CHECK_THROWS_AS(check(*p, broken), std::runtime_error);
    }
}

TEST_CASE("the inspection time decides the validity of the signer and of the CRL") {
    const Base base = valid_certificate_package();
    auto options = options_for("certificate");
    SECTION("signer expired (RSA signers are valid 825 days)") {
        options.crls.clear();
        options.now += 900 * kDay;
        CHECK(sig_codes(check(base.package, options)) == Codes{"E-SIG-EXPIRED"});
    }
    SECTION("signer not yet valid") {
        options.crls.clear();
        options.now -= 3 * kDay;
        CHECK(sig_codes(check(base.package, options)) == Codes{"E-SIG-EXPIRED"});
    }
    SECTION("a stale CRL leaves revocation unknown (CRLs are valid 30 days)") {
        options.now += 40 * kDay;
        CHECK(sig_codes(check(base.package, options)) == Codes{"E-SIG-UNTRUSTED"});
    }
}

TEST_CASE("gbizid packages may be unsigned but a signature they carry must be valid") {
    const auto& missing = first_package("E-SIG-MISSING", "empty 署名情報");
    const auto& tampered = first_package("E-SIG-INVALID", "KPFD0006.CSV changed");
    CHECK(check(*read_package(missing.zip), options_for("gbizid")).accepted());
    CHECK(sig_codes(check(*read_package(tampered.zip), options_for("gbizid"))) ==
          Codes{"E-SIG-INVALID"});
}

TEST_CASE("repeated checks give the same answers (no state left between calls)") {
    const Base base = valid_certificate_package();
    const auto& tampered = first_package("E-SIG-INVALID", "attach01.pdf replaced");
    const auto bad = read_package(tampered.zip);
    REQUIRE(bad.has_value());
    const auto options = options_for("certificate");
    for (int i = 0; i < 200; ++i) {
        CHECK(check(base.package, options).accepted());
        CHECK(sig_codes(check(*bad, options)) == Codes{"E-SIG-INVALID"});
    }
}

// Found by fuzz_xml_signature: a certificate whose public key OpenSSL cannot decode gives
// no key, which must be refused rather than dereferenced.
TEST_CASE("a signer certificate without a usable key is untrusted", "[signature]") {
    sekisho::inspect::Verdict v;
    CHECK_FALSE(sekisho::inspect::check_signer_key(nullptr, "kousei.xml ds:X509Certificate", v));
    CHECK(v.codes() == std::set<std::string>{"E-SIG-UNTRUSTED"});
}

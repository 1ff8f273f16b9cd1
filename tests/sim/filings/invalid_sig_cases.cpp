// Invalid signatures of certificate packages (spec §3): E-SIG-MISSING, E-SIG-INVALID,
// E-SIG-UNCOVERED, E-SIG-UNTRUSTED, E-SIG-EXPIRED, E-SIG-REVOKED, E-SIG-WEAK. Everything
// but the signature is valid.

#include <cctype>
#include <stdexcept>

#include "tests/sim/filings/attachments.hpp"
#include "tests/sim/filings/invalid_cases.hpp"

namespace sekisho::sim::filings {
namespace {

Draft cert_draft(CaseEnv& env, const std::string& code, const std::string& description,
                 std::vector<std::string> attachments = {"pdf"}) {
    return base(env, plan({{"2200700", 2}, {"2201700", 1}}, std::move(attachments)), "certificate",
                code, description);
}

void signed_by(CaseEnv& env, Signer signer, const std::string& code, const std::string& text,
               std::vector<const Issued*> extra = {}) {
    Draft d = cert_draft(env, code, text);
    sign(d, {.signer = &env.signers.get(signer), .extra_certs = std::move(extra)});
    env.sink.write(d);
}

// --- E-SIG-MISSING ----------------------------------------------------------------------------

void unsigned_package(CaseEnv& env) {
    Draft d = cert_draft(env, "E-SIG-MISSING", "certificate package with an empty 署名情報");
    env.sink.write(d);
}

void unsigned_self_closing(CaseEnv& env) {
    Draft d = base(env, plan({{"2265700", 3}}, {"txt"}), "certificate", "E-SIG-MISSING",
                   "certificate package with <署名情報/> and no signature anywhere");
    replace_once(d.kousei, "<署名情報></署名情報>", "<署名情報/>");
    env.sink.write(d);
}

// --- E-SIG-INVALID ----------------------------------------------------------------------------

void tampered_csv(CaseEnv& env) {
    Draft d = cert_draft(env, "E-SIG-INVALID",
                         "KPFD0006.CSV changed after signing (整理番号 of one record)");
    sign(d, {.signer = &env.signers.get(Signer::rsa)});
    Record& r = first_record(d, "2201700");
    r.at(6) = std::to_string(std::stoi(r.at(6)) + 10000);  // still unique, still valid
    file(d, kCsvName).bytes = render_csv(d.filing);
    env.sink.write(d);
}

void tampered_kousei(CaseEnv& env) {
    Draft d = cert_draft(env, "E-SIG-INVALID", "構成情報 in kousei.xml changed after signing");
    sign(d, {.signer = &env.signers.get(Signer::p256)});
    replace_once(d.kousei, "<名称>" + xml_escape(d.filing.office.name), "<名称>株式会社改ざん商事");
    env.sink.write(d);
}

void tampered_value(CaseEnv& env) {
    Draft d = cert_draft(env, "E-SIG-INVALID", "one character of SignatureValue changed");
    sign(d, {.signer = &env.signers.get(Signer::rsa)});
    const auto at = d.kousei.find("<ds:SignatureValue>");
    if (at == std::string::npos)
        throw std::logic_error("no SignatureValue");
    std::size_t pos = at + 19 + 10;
    while (!std::isalnum(static_cast<unsigned char>(d.kousei.at(pos))))
        ++pos;  // skip the line breaks of the base64 text
    d.kousei[pos] = d.kousei[pos] == 'A' ? 'B' : 'A';
    env.sink.write(d);
}

void tampered_attachment(CaseEnv& env) {
    Draft d = cert_draft(env, "E-SIG-INVALID", "attach01.pdf replaced after signing");
    sign(d, {.signer = &env.signers.get(Signer::p256)});
    file(d, "attach01.pdf").bytes = make_pdf(env.rng);
    env.sink.write(d);
}

// --- E-SIG-UNCOVERED --------------------------------------------------------------------------

void uncovered(CaseEnv& env, const std::string& description,
               std::vector<std::string> (*refs)(const Draft&)) {
    Draft d = cert_draft(env, "E-SIG-UNCOVERED", description);
    sign(d, {.signer = &env.signers.get(Signer::rsa), .references = refs(d)}, false);
    env.sink.write(d);
}

void add_uncovered(std::vector<InvalidCase>& cases) {
    cases.push_back({"E-SIG-UNCOVERED", [](CaseEnv& env) {
                         uncovered(env, "signature covers only kousei.xml (#構成情報)",
                                   [](const Draft&) { return std::vector<std::string>{}; });
                     }});
    cases.push_back({"E-SIG-UNCOVERED", [](CaseEnv& env) {
                         uncovered(env, "attach01.pdf is not covered by any Reference",
                                   [](const Draft& d) {
                                       auto names = file_names(d);
                                       names.pop_back();
                                       return names;
                                   });
                     }});
    cases.push_back({"E-SIG-UNCOVERED", [](CaseEnv& env) {
                         uncovered(env, "KPFD0006.CSV covered by two References",
                                   [](const Draft& d) {
                                       auto names = file_names(d);
                                       names.push_back(std::string(kCsvName));
                                       return names;
                                   });
                     }});
}

// --- E-SIG-UNTRUSTED, E-SIG-EXPIRED, E-SIG-REVOKED, E-SIG-WEAK -------------------------------

void add_signer_cases(std::vector<InvalidCase>& cases) {
    cases.push_back({"E-SIG-UNTRUSTED", [](CaseEnv& env) {
                         signed_by(env, Signer::foreign, "E-SIG-UNTRUSTED",
                                   "valid signature by a signer of untrusted-ca.pem (CA in "
                                   "X509Data too)",
                                   {&env.signers.untrusted_ca()});
                     }});
    cases.push_back({"E-SIG-UNTRUSTED", [](CaseEnv& env) {
                         signed_by(env, Signer::self_signed, "E-SIG-UNTRUSTED",
                                   "valid signature by a self-signed certificate");
                     }});
    cases.push_back({"E-SIG-UNTRUSTED", [](CaseEnv& env) {
                         signed_by(env, Signer::no_signing_usage, "E-SIG-UNTRUSTED",
                                   "signer chains to the trust anchor but its keyUsage lacks "
                                   "digitalSignature and nonRepudiation");
                     }});
    cases.push_back({"E-SIG-EXPIRED", [](CaseEnv& env) {
                         signed_by(env, Signer::expired, "E-SIG-EXPIRED",
                                   "valid signature by a P-256 signer that expired yesterday");
                     }});
    cases.push_back({"E-SIG-EXPIRED", [](CaseEnv& env) {
                         signed_by(env, Signer::not_yet_valid, "E-SIG-EXPIRED",
                                   "valid signature by a signer valid only from 30 days on");
                     }});
    cases.push_back({"E-SIG-REVOKED", [](CaseEnv& env) {
                         signed_by(env, Signer::revoked_rsa, "E-SIG-REVOKED",
                                   "valid signature by an RSA signer revoked in crl.pem");
                     }});
    cases.push_back({"E-SIG-REVOKED", [](CaseEnv& env) {
                         signed_by(env, Signer::revoked_p256, "E-SIG-REVOKED",
                                   "valid signature by a P-256 signer revoked in crl.pem");
                     }});
    cases.push_back({"E-SIG-WEAK", [](CaseEnv& env) {
                         signed_by(env, Signer::rsa1024, "E-SIG-WEAK",
                                   "rsa-sha256 signature by an RSA-1024 signer");
                     }});
    cases.push_back({"E-SIG-WEAK", [](CaseEnv& env) {
                         Draft d = cert_draft(env, "E-SIG-WEAK",
                                              "SignatureMethod rsa-sha1 (RSA-2048 signer)");
                         sign(d, {.signer = &env.signers.get(Signer::rsa), .sha1_signature = true});
                         env.sink.write(d);
                     }});
    cases.push_back({"E-SIG-WEAK", [](CaseEnv& env) {
                         Draft d = cert_draft(env, "E-SIG-WEAK",
                                              "DigestMethod sha1 in every Reference "
                                              "(ecdsa-sha256, P-256 signer)");
                         sign(d, {.signer = &env.signers.get(Signer::p256), .sha1_digest = true});
                         env.sink.write(d);
                     }});
}

}  // namespace

void add_signature_cases(std::vector<InvalidCase>& cases) {
    for (auto* f : {unsigned_package, unsigned_self_closing})
        cases.push_back({"E-SIG-MISSING", f});
    for (auto* f : {tampered_csv, tampered_kousei, tampered_value, tampered_attachment})
        cases.push_back({"E-SIG-INVALID", f});
    add_uncovered(cases);
    add_signer_cases(cases);
}

}  // namespace sekisho::sim::filings

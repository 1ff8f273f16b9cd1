#pragma once
// Invalid packages: for every reason code of spec §6 (E-MALWARE and E-DUPLICATE as single
// specimens) at least two packages that break exactly that one rule in different ways,
// including the attack inputs (billion laughs, external entities, ZIP bombs, path
// traversal, signature wrapping gaps, weak and untrusted signers).

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "tests/sim/filings/package_sink.hpp"
#include "tests/sim/filings/signer_store.hpp"

namespace sekisho::sim::filings {

struct CaseEnv {
    Rng& rng;
    const SignerStore& signers;
    PackageSink& sink;
};

struct InvalidCase {
    std::string code;
    std::function<void(CaseEnv&)> write;
};

// Helpers shared by the case files.
FilingPlan plan(std::initializer_list<FormCount> forms, std::vector<std::string> attachments = {},
                int mynumber_percent = 60);
// A valid, unsigned draft at the next slot, expecting `code`.
Draft base(CaseEnv& env, const FilingPlan& plan, const std::string& auth, const std::string& code,
           const std::string& description);
// Signs with every file referenced when the draft is a certificate package, then writes it.
void finish(CaseEnv& env, Draft& draft, Signer signer = Signer::rsa);
Record& first_record(Draft& draft, std::string_view form);

void add_zip_cases(std::vector<InvalidCase>& cases);
void add_xml_cases(std::vector<InvalidCase>& cases);
void add_signature_cases(std::vector<InvalidCase>& cases);
void add_csv_cases(std::vector<InvalidCase>& cases);
void add_mynumber_cases(std::vector<InvalidCase>& cases);

std::vector<InvalidCase> all_invalid_cases();

// Writes all invalid cases, the EICAR specimen and a byte-identical copy of `original`
// (written earlier as `original_zip`) under a new arrive_id.
void write_invalid(CaseEnv& env, const Draft& original, const std::string& original_zip);

}  // namespace sekisho::sim::filings

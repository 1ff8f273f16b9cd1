#include "tests/sim/filings/invalid_cases.hpp"

#include <stdexcept>

#include "tests/sim/filings/attachments.hpp"

namespace sekisho::sim::filings {

FilingPlan plan(std::initializer_list<FormCount> forms, std::vector<std::string> attachments,
                int mynumber_percent) {
    return {.forms = forms,
            .mynumber_percent = mynumber_percent,
            .attachments = std::move(attachments)};
}

Draft base(CaseEnv& env, const FilingPlan& p, const std::string& auth, const std::string& code,
           const std::string& description) {
    const Slot slot = env.sink.next_slot();
    Draft d = make_draft(make_filing(env.rng, slot, p), slot, auth);
    d.codes = {code};
    d.description = description;
    return d;
}

void finish(CaseEnv& env, Draft& d, Signer signer) {
    if (d.auth_method == "certificate")
        sign(d, {.signer = &env.signers.get(signer)});
    env.sink.write(d);
}

Record& first_record(Draft& d, std::string_view form) {
    for (auto& r : d.filing.records) {
        if (r.form() == form)
            return r;
    }
    throw std::logic_error("no record of form " + std::string(form));
}

std::vector<InvalidCase> all_invalid_cases() {
    std::vector<InvalidCase> cases;
    add_zip_cases(cases);
    add_xml_cases(cases);
    add_signature_cases(cases);
    add_csv_cases(cases);
    add_mynumber_cases(cases);
    return cases;
}

namespace {

void write_eicar(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}), "certificate", "E-MALWARE",
                   "EICAR anti-virus test string as a .txt attachment");
    d.files.push_back({"memo01.txt", std::string(kEicar)});
    d.listed.push_back({"添付書類", "連絡事項", "memo01.txt"});
    relist(d);
    finish(env, d);
}

void write_duplicate(CaseEnv& env, const Draft& original, const std::string& zip) {
    Draft d = original;
    d.slot = env.sink.next_slot();
    d.codes = {"E-DUPLICATE"};
    d.description = "byte-identical copy of package " + original.slot.arrive_id;
    env.sink.write(d, zip);
}

}  // namespace

void write_invalid(CaseEnv& env, const Draft& original, const std::string& original_zip) {
    for (const auto& c : all_invalid_cases())
        c.write(env);
    write_eicar(env);
    write_duplicate(env, original, original_zip);
}

}  // namespace sekisho::sim::filings

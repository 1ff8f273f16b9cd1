#include "tests/sim/filings/valid_filings.hpp"

namespace sekisho::sim::filings {
namespace {

// A second form that an employer plausibly files together with `form`, or empty.
std::string companion(std::string_view form) {
    if (form == "2200700")
        return "2201700";
    if (form == "2201700")
        return "2200700";
    if (form == "2221700")
        return "2265700";
    if (form == "2265700")
        return "2221700";
    return "";  // 算定基礎届 travels alone
}

FilingPlan valid_plan(Rng& rng, int i) {
    FilingPlan plan;
    const std::string primary(kForms[static_cast<std::size_t>(i) % kForms.size()]);
    plan.forms.push_back({primary, rng.uniform(1, 4)});
    if (i % 3 == 1 && !companion(primary).empty())
        plan.forms.push_back({companion(primary), rng.uniform(1, 3)});
    if (i % 3 == 0)
        plan.attachments.push_back("pdf");
    if (i % 4 == 1) {
        plan.attachments.push_back("jpg");
        plan.attachments.push_back("png");
    }
    if (i % 5 == 2)
        plan.attachments.push_back("txt");
    return plan;
}

}  // namespace

Draft make_valid(Rng& rng, const SignerStore& signers, const Slot& slot, int index) {
    const bool gbizid = index % 4 == 3;
    Draft d = make_draft(make_filing(rng, slot, valid_plan(rng, index)), slot,
                         gbizid ? "gbizid" : "certificate");
    d.directory_entry = index % 2 == 0;
    if (!gbizid || index % 8 == 7) {
        const Signer signer = index % 2 == 0 ? Signer::rsa : Signer::p256;
        sign(d, {.signer = &signers.get(signer)});
    }
    d.description = std::string("valid, ") +
                    (d.kousei.find("<ds:Signature") != std::string::npos ? "signed" : "unsigned") +
                    ", forms";
    for (const auto& f : d.filing.form_codes())
        d.description += " " + f;
    return d;
}

}  // namespace sekisho::sim::filings

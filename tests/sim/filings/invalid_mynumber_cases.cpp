// 個人番号 policy violations (spec §5): E-MYNUMBER-CHECKDIGIT and E-MYNUMBER-NOT-ALLOWED.
// Numbers are random; only their check digit is chosen.

#include "tests/sim/filings/attachments.hpp"
#include "tests/sim/filings/invalid_cases.hpp"

namespace sekisho::sim::filings {
namespace {

// A package of `form` (2 records) whose first record gets `number` in field `field`.
void with_number(CaseEnv& env, const std::string& form, std::size_t field,
                 const std::string& number, const std::string& auth, const std::string& code,
                 const std::string& description) {
    Draft d = base(env, plan({{form, 2}}, {}, 0), auth, code, description);
    Record& r = first_record(d, form);
    r.at(field) = number;
    if (form == "2200700" && field == mynumber_field(form)) {
        r.at(33).clear();  // a number is given now: no 個人番号なし理由
        r.at(34).clear();
    }
    rerender(d);
    finish(env, d);
}

void add_checkdigit_cases(std::vector<InvalidCase>& cases) {
    cases.push_back({"E-MYNUMBER-CHECKDIGIT", [](CaseEnv& env) {
                         with_number(env, "2200700", 13, make_bad_mynumber(env.rng), "certificate",
                                     "E-MYNUMBER-CHECKDIGIT",
                                     "2200700 個人番号 with a wrong check digit");
                     }});
    cases.push_back({"E-MYNUMBER-CHECKDIGIT", [](CaseEnv& env) {
                         with_number(env, "2201700", 11, make_bad_mynumber(env.rng), "gbizid",
                                     "E-MYNUMBER-CHECKDIGIT",
                                     "2201700 個人番号 with a wrong check digit");
                     }});
}

void stray_in_text(CaseEnv& env) {
    Draft d = base(env, plan({{"2221700", 1}}, {"txt"}), "certificate", "E-MYNUMBER-NOT-ALLOWED",
                   "valid 12-digit number in the text of memo01.txt");
    file(d, "memo01.txt").bytes =
        make_txt({"連絡事項", "照会番号：" + make_mynumber(env.rng) + "（控え）"});
    finish(env, d);
}

void add_not_allowed_cases(std::vector<InvalidCase>& cases) {
    cases.push_back({"E-MYNUMBER-NOT-ALLOWED", [](CaseEnv& env) {
                         with_number(env, "2265700", 15, make_mynumber(env.rng), "certificate",
                                     "E-MYNUMBER-NOT-ALLOWED",
                                     "valid 個人番号 in a 2265700 (賞与支払届) record");
                     }});
    cases.push_back({"E-MYNUMBER-NOT-ALLOWED", [](CaseEnv& env) {
                         with_number(env, "2225700", 33, make_mynumber(env.rng), "gbizid",
                                     "E-MYNUMBER-NOT-ALLOWED",
                                     "valid 個人番号 in a 2225700 (算定基礎届) record");
                     }});
    cases.push_back({"E-MYNUMBER-NOT-ALLOWED", [](CaseEnv& env) {
                         with_number(env, "2200700", 27, "確認用" + make_mynumber(env.rng),
                                     "certificate", "E-MYNUMBER-NOT-ALLOWED",
                                     "stray valid 12-digit number in 備考 of a 2200700 record");
                     }});
    cases.push_back({"E-MYNUMBER-NOT-ALLOWED", stray_in_text});
}

}  // namespace

void add_mynumber_cases(std::vector<InvalidCase>& cases) {
    add_checkdigit_cases(cases);
    add_not_allowed_cases(cases);
}

}  // namespace sekisho::sim::filings

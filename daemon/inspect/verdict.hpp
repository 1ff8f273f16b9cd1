#pragma once
// An inspection verdict: accept, or reject with every reason found. A reason names the
// rule and a position ("KPFD0006.CSV:7 field 13", "kousei.xml /DataRoot/構成情報"), never
// the offending value: details must not carry a 個人番号, a name or any other personal data.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::inspect {

struct Reason {
    std::string code;    // one of reason_codes.hpp
    std::string where;   // file:line, file:line field N, or an element path
    std::string detail;  // which rule, in plain words; no values from the package
    bool operator==(const Reason&) const = default;
};

class Verdict {
  public:
    // Identical reasons are kept once; a flood of one broken rule is capped per code so
    // that a hostile package cannot make the verdict itself huge.
    void add(std::string_view code, std::string where, std::string detail);
    void merge(const Verdict& other);

    bool accepted() const { return reasons_.empty(); }
    const std::vector<Reason>& reasons() const { return reasons_; }
    bool has(std::string_view code) const;
    std::set<std::string> codes() const;

    static constexpr std::size_t kMaxPerCode = 20;

  private:
    std::vector<Reason> reasons_;
};

// {"verdict": "accept"|"reject", "reasons": [{"code", "where", "detail"}]}
std::string to_json(const Verdict& verdict);
// Codes and positions only, for the queue index and notices.
std::string reasons_json(const Verdict& verdict);
Verdict verdict_from_json(std::string_view json);  // throws std::runtime_error when malformed

}  // namespace sekisho::inspect

#pragma once
// Adds reasons about KPFD0006.CSV to a verdict, positioned "KPFD0006.CSV:LINE" or
// "KPFD0006.CSV:LINE field N". Once a code has reached the verdict's cap, further reasons of
// that code are dropped here, before their text is built: a hostile file with one broken
// rule on every line costs no more than a clean one.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect::csv {

inline constexpr std::string_view kFileName = "KPFD0006.CSV";

class Report {
  public:
    explicit Report(Verdict& verdict) : verdict_(verdict) {}

    void line(std::string_view code, std::size_t line, std::string_view detail);
    void field(std::string_view code, std::size_t line, std::size_t n, std::string_view detail);
    // "<field name>: <rule>", the usual detail of a field rule.
    void field(std::string_view code, std::size_t line, std::size_t n, std::string_view name,
               std::string_view rule);

  private:
    bool full(std::string_view code);
    void add(std::string_view code, std::string where, std::string_view detail);

    Verdict& verdict_;
    std::array<std::size_t, 8> added_{};
};

}  // namespace sekisho::inspect::csv

#pragma once
// Collects the reasons of one 中間サーバー file inspection, positioned "line N" or
// "line N field M" (the worker gets bytes, not a file name), and builds the verdict.
//
// Bounded twice, so that a hostile file with one broken rule on every line costs no more
// than a clean one: at most kPerCode reasons of one code are kept (further ones are dropped
// before their text is built), and the verdict lists at most kMaxReasons, the last of which
// says that more were found.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect::chukan {

class Report {
  public:
    static constexpr std::size_t kMaxReasons = 100;
    static constexpr std::size_t kPerCode = Verdict::kMaxPerCode - 1;  // room for "more"

    void file(std::string_view code, std::string_view detail);
    void line(std::string_view code, std::size_t line, std::string_view detail);
    // Detail "<field name>: <rule>".
    void field(std::string_view code, std::size_t line, std::size_t n, std::string_view name,
               std::string_view rule);

    // Every reason about the bytes (E-CHUKAN-ENCODING, E-CHUKAN-LIMIT); the others only when
    // `decodable`: text that is not CP932 breaks every rule at once and tells nothing more.
    Verdict verdict(bool decodable) const;

  private:
    bool full(std::string_view code);
    void add(std::string_view code, std::string where, std::string detail);

    std::vector<Reason> reasons_;
    std::array<std::size_t, 9> kept_{};     // per code slot
    std::array<std::size_t, 9> dropped_{};  // per code slot
};

}  // namespace sekisho::inspect::chukan

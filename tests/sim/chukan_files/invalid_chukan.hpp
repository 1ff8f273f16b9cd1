#pragma once
// Invalid 中間サーバー files: at least two per E-CHUKAN- code, each a valid file with one
// rule broken, and the exact set of codes the inspector must find in it.

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/chukan_files/chukan_draft.hpp"
#include "tests/sim/chukan_files/valid_chukan.hpp"

namespace sekisho::sim::chukan_files {

struct Case {
    std::string code;  // the code the case is made for (its file name starts with it)
    std::string kind;  // the kind the inspector is told to expect
    std::string description;
    std::string bytes;
    std::set<std::string> codes;  // exactly what the inspector must find
};

// Changes a draft before it is rendered.
using Edit = std::function<void(Draft&)>;
// Changes the rendered bytes.
using ByteEdit = std::function<void(std::string&)>;

class Cases {
  public:
    Cases(Rng& rng, Date day) : rng_(rng), day_(day) {}

    Rng& rng() { return rng_; }
    // A valid file of `kind` with 5 records (valid_chukan.hpp fixes the first three).
    Draft base(std::string_view kind) { return make_valid(rng_, kind, day_, 5); }

    // A case whose only problem is `code`.
    void add(std::string_view code, std::string_view kind, std::string description,
             const Edit& edit, const ByteEdit& bytes = {}, const RenderOptions& options = {});
    // A case with its own file and expected kind.
    void add_bytes(std::string_view code, std::string_view kind, std::string description,
                   std::string bytes);

    std::vector<Case> take() { return std::move(cases_); }

  private:
    Rng& rng_;
    Date day_;
    std::vector<Case> cases_;
};

// E-CHUKAN-ENCODING, -HEADER, -KIND, -TRAILER, -COUNT, -LIMIT.
void add_structure_cases(Cases& cases);
// E-CHUKAN-FIELD, -MYNUMBER.
void add_field_cases(Cases& cases);

std::vector<Case> make_invalid(Rng& rng, Date day);

}  // namespace sekisho::sim::chukan_files

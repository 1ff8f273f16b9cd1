#pragma once
// Output of the generator: --out DIR/<arrive_id>.zip and DIR/<arrive_id>.json (the listing
// fields of spec/mynaportal-api.md plus the expected verdict), arrive_ids and arrival times
// deterministic from the seed.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "tests/sim/filings/package.hpp"

namespace sekisho::sim::filings {

class PackageSink {
  public:
    PackageSink(std::filesystem::path dir, std::uint64_t seed);

    // The next arrival: 15-digit arrive_id (YYYYMMDD + 7 digits), unique within a run.
    Slot next_slot();
    // Writes the package of `draft` with its listing; returns the ZIP bytes.
    std::string write(const Draft& draft);
    // Writes `zip` as-is for `draft` (attack cases that patch the bytes).
    void write(const Draft& draft, const std::string& zip);

    int written() const { return written_; }
    // Number of packages per expected code ("accept" for valid ones).
    const std::map<std::string, int>& tally() const { return tally_; }

  private:
    std::filesystem::path dir_;
    std::uint64_t sequence_base_;
    std::time_t start_;
    int next_ = 0;
    int written_ = 0;
    std::map<std::string, int> tally_;
};

}  // namespace sekisho::sim::filings

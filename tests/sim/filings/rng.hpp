#pragma once
// A seeded random source. Everything the generator decides comes from here, so one --seed
// gives the same packages (up to signature randomness and freshly made keys).

#include <cstdint>
#include <random>
#include <span>
#include <string>

namespace sekisho::sim::filings {

class Rng {
  public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    // Uniform in [lo, hi]; modulo bias is irrelevant for test data and keeps results the same
    // across standard libraries (std::uniform_int_distribution is implementation-defined).
    int uniform(int lo, int hi) {
        const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
        return lo + static_cast<int>(engine_() % span);
    }
    bool chance(int percent) { return uniform(1, 100) <= percent; }
    std::string digits(int n) {
        std::string out;
        for (int i = 0; i < n; ++i)
            out += static_cast<char>('0' + uniform(0, 9));
        return out;
    }
    template <class T>
    const T& pick(std::span<const T> items) {
        return items[static_cast<std::size_t>(uniform(0, static_cast<int>(items.size()) - 1))];
    }

  private:
    std::mt19937_64 engine_;
};

}  // namespace sekisho::sim::filings

#include "tests/sim/chukan/result_maker.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "tests/sim/chukan_files/valid_chukan.hpp"

namespace sekisho::sim::chukan {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kAnswers{{
    {"SHIKAKU-REG-REQ", "SHIKAKU-REG-RES"},
    {"HONNIN-REQ", "HONNIN-RES"},
    {"SHOKAI-REQ", "SHOKAI-RES"},
}};

}  // namespace

std::string result_kind_for(std::string_view request_kind) {
    for (const auto& [request, result] : kAnswers) {
        if (request == request_kind)
            return std::string(result);
    }
    return {};
}

std::string make_result(std::string_view result_kind, std::uint64_t records, std::uint64_t seed,
                        TimePoint now) {
    const auto wanted =
        static_cast<std::size_t>(std::clamp<std::uint64_t>(records, 1, kMaxResultRecords));
    const chukan_files::Date day{
        std::chrono::floor<std::chrono::days>(now + std::chrono::hours(9))};
    chukan_files::Rng rng(seed);
    auto draft = chukan_files::make_valid(rng, result_kind, day, static_cast<int>(wanted));
    draft.records.resize(wanted);  // make_valid writes at least kPatternRecords
    return chukan_files::render(draft);
}

}  // namespace sekisho::sim::chukan

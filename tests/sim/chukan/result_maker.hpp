#pragma once
// The result file the simulated 中間サーバー makes for a request that is done: valid
// synthetic content of the result kind (tests/sim/chukan_files), so that it passes the
// gateway's inspection.

#include <cstdint>
#include <string>
#include <string_view>

#include "tests/sim/common/codec.hpp"

namespace sekisho::sim::chukan {

inline constexpr std::uint64_t kMaxResultRecords = 1000;

// "SHIKAKU-REG-RES" for "SHIKAKU-REG-REQ", and so on; empty for anything else.
std::string result_kind_for(std::string_view request_kind);

// The CP932 bytes of a valid file of `result_kind` made on the JST day of `now` with
// `records` records (clamped to 1..kMaxResultRecords), its content chosen by `seed`.
std::string make_result(std::string_view result_kind, std::uint64_t records, std::uint64_t seed,
                        TimePoint now);

}  // namespace sekisho::sim::chukan

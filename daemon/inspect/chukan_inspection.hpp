#pragma once
// What the inspection of one 中間サーバー file (spec/chukan-api.md, Files) takes besides the
// bytes and what it returns. Plain data: it travels between sekishod and the sandboxed
// worker (worker_protocol.hpp), which is why it lives apart from the parser (chukan_file.hpp).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

struct ChukanLimits {
    std::uint64_t max_bytes = 64ull * 1024 * 1024;
    std::uint64_t max_records = 1'000'000;
    std::uint64_t max_line = 8192;  // bytes of one line, without its CRLF
};

struct ChukanInspection {
    Verdict verdict;
    std::int64_t records = 0;        // record lines between the header and the trailer
    std::vector<std::string> flags;  // e.g. "honnin-multiple-matches:3": counts, never values
};

// The six kinds of the spec's table, as the header and X-Request-Kind spell them.
inline constexpr std::array<std::string_view, 6> kChukanKinds{
    "SHIKAKU-REG-REQ", "SHIKAKU-REG-RES", "HONNIN-REQ", "HONNIN-RES", "SHOKAI-REQ", "SHOKAI-RES",
};

constexpr bool is_chukan_kind(std::string_view kind) {
    for (const auto k : kChukanKinds) {
        if (k == kind)
            return true;
    }
    return false;
}

// HONNIN-RES records with 処理結果 2 (複数該当): the seed's measure for あいまい検索 wants them
// delivered only flagged, so the count travels to the manifest as "<flag>:<count>".
inline constexpr std::string_view kFlagHonninMultipleMatches = "honnin-multiple-matches";

}  // namespace sekisho::inspect

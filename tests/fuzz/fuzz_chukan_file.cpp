// libFuzzer target: the 中間サーバー file inspection (chukan_file.hpp) on arbitrary bytes.
// The first byte picks the expected kind, so that every kind's record rules are reached.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/inspect/chukan_file.hpp"

using namespace sekisho::inspect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::string_view kind = kChukanKinds[data[0] % kChukanKinds.size()];
    const std::string_view file(reinterpret_cast<const char*>(data + 1), size - 1);
    ChukanLimits limits;
    limits.max_records = 10000;
    limits.max_line = 4096;
    const ChukanInspection in = inspect_chukan_file(file, kind, limits);
    // The verdict stays bounded, and the count within its limit, whatever the bytes.
    if (in.verdict.reasons().size() > 100 || in.records < 0 ||
        static_cast<std::uint64_t>(in.records) > limits.max_records)
        __builtin_trap();
    return 0;
}

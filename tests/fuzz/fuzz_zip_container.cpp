// libFuzzer target: the ZIP container reader (spec §1) on arbitrary bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/inspect/zip_container.hpp"

using namespace sekisho::inspect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view zip(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.max_uncompressed = 8u * 1024 * 1024;  // keeps each run fast; the rules are the same
    Verdict verdict;
    const auto package = read_container(zip, limits, verdict);
    if (package) {
        for (const auto& e : package->entries) {
            if (package->find(e.name) == nullptr)
                __builtin_trap();  // every entry must be found by its own name
        }
    }
    return 0;
}

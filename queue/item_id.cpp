#include "queue/item_id.hpp"

#include <chrono>
#include <mutex>

#include "queue/crypto.hpp"

namespace sekisho::queue {

ItemId ItemId::generate() {
    // Monotonic within the process even if the clock steps back, so ids keep their order.
    static std::mutex mutex;
    static std::uint64_t last_ms = 0;
    std::uint64_t ms =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    {
        std::lock_guard lock(mutex);
        if (ms <= last_ms)
            ms = last_ms;
        last_ms = ms;
    }
    ItemId id;
    random_bytes(id.bytes_);
    for (int i = 0; i < 6; ++i)
        id.bytes_[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
    id.bytes_[6] = static_cast<unsigned char>(0x70 | (id.bytes_[6] & 0x0f));  // version 7
    id.bytes_[8] = static_cast<unsigned char>(0x80 | (id.bytes_[8] & 0x3f));  // variant 10
    return id;
}

std::string ItemId::str() const {
    const std::string hex = to_hex(bytes_);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

std::optional<ItemId> ItemId::parse(std::string_view text) {
    if (text.size() != 36)
        return std::nullopt;
    ItemId id;
    std::size_t out = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return std::nullopt;
            ++i;
            continue;
        }
        auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            return -1;
        };
        const int hi = nibble(text[i]);
        const int lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        id.bytes_[out++] = static_cast<unsigned char>(hi << 4 | lo);
        i += 2;
    }
    if ((id.bytes_[6] >> 4) != 7 || (id.bytes_[8] >> 6) != 2)
        return std::nullopt;
    return id;
}

}  // namespace sekisho::queue

#pragma once
// Item ids are UUIDv7 (RFC 9562): a millisecond timestamp and 74 random bits. They sort
// by creation time, carry nothing personal, and are never reused: purged items keep
// their index row as a tombstone.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::queue {

class ItemId {
  public:
    static ItemId generate();
    static std::optional<ItemId> parse(std::string_view text);

    std::string str() const;
    const std::array<unsigned char, 16>& bytes() const { return bytes_; }
    auto operator<=>(const ItemId&) const = default;

  private:
    std::array<unsigned char, 16> bytes_{};
};

}  // namespace sekisho::queue

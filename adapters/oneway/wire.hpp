#pragma once
// The one-way datagram format of PROTOCOL.md: a 24-byte clear header (authenticated as
// associated data) and a typed body. Bodies are encoded and parsed here; encryption is
// datagram_crypto's. Parsing never trusts a length: every field is checked against the
// bytes present and the protocol's limits, and a bad body is a ParseError.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sekisho::oneway {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using TransferId = std::array<std::uint8_t, 16>;

inline constexpr std::size_t kMaxDatagram = 1472;  // Ethernet MTU - IPv4 - UDP headers
inline constexpr std::size_t kHeaderBytes = 24;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kMaxBody = kMaxDatagram - kHeaderBytes - kTagBytes;
inline constexpr std::size_t kShardHeaderBytes = 16 + 4 + 1;
inline constexpr std::size_t kMaxShardSize = 1400;
inline constexpr std::size_t kMaxManifest = 1200;
inline constexpr std::uint64_t kMaxTransferSize = 1ull << 40;
inline constexpr std::size_t kMaxSenderName = 64;
inline constexpr std::size_t kMaxHistory = 48;

class ParseError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class Type : std::uint8_t { transfer_header = 1, shard = 2, heartbeat = 3 };

struct Header {
    Type type = Type::shard;
    std::uint64_t session = 0;
    std::uint64_t sequence = 0;
};

std::array<std::uint8_t, kHeaderBytes> encode_header(const Header& h);
// nullopt for anything that is not a version-1 Sekisho datagram header.
std::optional<Header> parse_header(ByteView datagram);

struct TransferHeader {
    TransferId id{};
    std::uint32_t number = 0;
    std::uint64_t size = 0;
    std::array<std::uint8_t, 32> sha256{};
    std::uint16_t shard_size = 0;
    std::uint8_t data_shards = 0;
    std::uint8_t parity_shards = 0;
    std::string manifest;

    std::uint64_t groups() const;
    auto operator<=>(const TransferHeader&) const = default;
};

struct Shard {
    TransferId id{};
    std::uint32_t group = 0;
    std::uint8_t index = 0;
    ByteView bytes;  // into the datagram being parsed or the sender's buffer
};

enum class Outcome : std::uint8_t { sent = 1, abandoned = 2 };

struct HistoryEntry {
    std::uint32_t number = 0;
    TransferId id{};
    Outcome outcome = Outcome::sent;
    auto operator<=>(const HistoryEntry&) const = default;
};

struct Heartbeat {
    std::string sender;
    std::uint64_t counter = 0;
    std::uint32_t newest_transfer = 0;
    std::vector<HistoryEntry> history;
    auto operator<=>(const Heartbeat&) const = default;
};

Bytes encode(const TransferHeader& t);
Bytes encode(const Heartbeat& h);
// The shard body without copying the shard bytes: the fixed part only.
std::array<std::uint8_t, kShardHeaderBytes> encode_shard_prefix(const Shard& s);

TransferHeader parse_transfer_header(ByteView body);
Shard parse_shard(ByteView body);
Heartbeat parse_heartbeat(ByteView body);

// A fresh UUIDv7 (time-ordered, 74 random bits), for transfers of files given by hand.
TransferId new_transfer_id();
std::string to_string(const TransferId& id);  // 8-4-4-4-12 lower-case hex
std::optional<TransferId> parse_transfer_id(const std::string& text);

}  // namespace sekisho::oneway

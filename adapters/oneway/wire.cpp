#include "adapters/oneway/wire.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstring>

namespace sekisho::oneway {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic{'S', 'K', 'O', 'W'};
constexpr std::uint8_t kVersion = 1;

class Writer {
  public:
    explicit Writer(Bytes& out) : out_(out) {}
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) { be(v, 2); }
    void u32(std::uint32_t v) { be(v, 4); }
    void u64(std::uint64_t v) { be(v, 8); }
    void raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void text(const std::string& s) {
        raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
    }

  private:
    void be(std::uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i)
            out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    Bytes& out_;
};

class Reader {
  public:
    Reader(ByteView in, const char* what) : in_(in), what_(what) {}
    std::uint8_t u8() { return static_cast<std::uint8_t>(be(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(be(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(be(4)); }
    std::uint64_t u64() { return be(8); }
    ByteView raw(std::size_t n) {
        need(n);
        const auto out = in_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    template <std::size_t N>
    std::array<std::uint8_t, N> array() {
        std::array<std::uint8_t, N> out{};
        const auto b = raw(N);
        std::memcpy(out.data(), b.data(), N);
        return out;
    }
    std::string text(std::size_t n) {
        const auto b = raw(n);
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    ByteView rest() { return raw(in_.size() - pos_); }
    void end() const {
        if (pos_ != in_.size())
            fail("trailing bytes");
    }
    [[noreturn]] void fail(const std::string& why) const {
        throw ParseError(std::string(what_) + ": " + why);
    }

  private:
    void need(std::size_t n) const {
        if (in_.size() - pos_ < n)
            fail("truncated");
    }
    std::uint64_t be(std::size_t n) {
        const auto b = raw(n);
        std::uint64_t v = 0;
        for (const auto byte : b)
            v = (v << 8) | byte;
        return v;
    }
    ByteView in_;
    std::size_t pos_ = 0;
    const char* what_;
};

void check_transfer_header(const TransferHeader& t, const Reader& r) {
    if (t.size > kMaxTransferSize)
        r.fail("size beyond the protocol's limit");
    if (t.shard_size == 0 || t.shard_size > kMaxShardSize)
        r.fail("shard size out of range");
    if (t.data_shards == 0 || t.data_shards + t.parity_shards > 255)
        r.fail("shard counts out of range");
    if (t.number == 0)
        r.fail("transfer number 0");
}

}  // namespace

std::uint64_t TransferHeader::groups() const {
    const std::uint64_t per_group = std::uint64_t{shard_size} * data_shards;
    return per_group == 0 ? 0 : (size + per_group - 1) / per_group;
}

std::array<std::uint8_t, kHeaderBytes> encode_header(const Header& h) {
    Bytes b;
    b.reserve(kHeaderBytes);
    Writer w(b);
    w.raw(kMagic);
    w.u8(kVersion);
    w.u8(static_cast<std::uint8_t>(h.type));
    w.u16(0);
    w.u64(h.session);
    w.u64(h.sequence);
    std::array<std::uint8_t, kHeaderBytes> out{};
    std::memcpy(out.data(), b.data(), kHeaderBytes);
    return out;
}

std::optional<Header> parse_header(ByteView d) {
    if (d.size() < kHeaderBytes + kTagBytes || d.size() > kMaxDatagram)
        return std::nullopt;
    Reader r(d.first(kHeaderBytes), "header");
    if (r.array<4>() != kMagic || r.u8() != kVersion)
        return std::nullopt;
    const auto type = r.u8();
    if (type < 1 || type > 3 || r.u16() != 0)
        return std::nullopt;
    Header h{static_cast<Type>(type), r.u64(), r.u64()};
    if (h.session == 0 || h.sequence == 0)
        return std::nullopt;
    return h;
}

Bytes encode(const TransferHeader& t) {
    if (t.manifest.size() > kMaxManifest)
        throw std::invalid_argument("manifest longer than 1,200 bytes");
    Bytes b;
    Writer w(b);
    w.raw(t.id);
    w.u32(t.number);
    w.u64(t.size);
    w.raw(t.sha256);
    w.u16(t.shard_size);
    w.u8(t.data_shards);
    w.u8(t.parity_shards);
    w.u16(static_cast<std::uint16_t>(t.manifest.size()));
    w.text(t.manifest);
    return b;
}

Bytes encode(const Heartbeat& h) {
    if (h.sender.size() > kMaxSenderName || h.history.size() > kMaxHistory)
        throw std::invalid_argument("heartbeat beyond the protocol's limits");
    Bytes b;
    Writer w(b);
    w.u16(static_cast<std::uint16_t>(h.sender.size()));
    w.text(h.sender);
    w.u64(h.counter);
    w.u32(h.newest_transfer);
    w.u16(static_cast<std::uint16_t>(h.history.size()));
    for (const auto& e : h.history) {
        w.u32(e.number);
        w.raw(e.id);
        w.u8(static_cast<std::uint8_t>(e.outcome));
    }
    return b;
}

std::array<std::uint8_t, kShardHeaderBytes> encode_shard_prefix(const Shard& s) {
    Bytes b;
    Writer w(b);
    w.raw(s.id);
    w.u32(s.group);
    w.u8(s.index);
    std::array<std::uint8_t, kShardHeaderBytes> out{};
    std::memcpy(out.data(), b.data(), kShardHeaderBytes);
    return out;
}

TransferHeader parse_transfer_header(ByteView body) {
    Reader r(body, "transfer header");
    TransferHeader t;
    t.id = r.array<16>();
    t.number = r.u32();
    t.size = r.u64();
    t.sha256 = r.array<32>();
    t.shard_size = r.u16();
    t.data_shards = r.u8();
    t.parity_shards = r.u8();
    const auto manifest_len = r.u16();
    if (manifest_len > kMaxManifest)
        r.fail("manifest too long");
    t.manifest = r.text(manifest_len);
    r.end();
    check_transfer_header(t, r);
    return t;
}

Shard parse_shard(ByteView body) {
    Reader r(body, "shard");
    Shard s;
    s.id = r.array<16>();
    s.group = r.u32();
    s.index = r.u8();
    s.bytes = r.rest();
    if (s.bytes.empty() || s.bytes.size() > kMaxShardSize)
        r.fail("shard size out of range");
    return s;
}

Heartbeat parse_heartbeat(ByteView body) {
    Reader r(body, "heartbeat");
    Heartbeat h;
    const auto name_len = r.u16();
    if (name_len > kMaxSenderName)
        r.fail("sender name too long");
    h.sender = r.text(name_len);
    h.counter = r.u64();
    h.newest_transfer = r.u32();
    const auto count = r.u16();
    if (count > kMaxHistory)
        r.fail("history too long");
    for (std::uint16_t i = 0; i < count; ++i) {
        HistoryEntry e;
        e.number = r.u32();
        e.id = r.array<16>();
        const auto outcome = r.u8();
        if (outcome != 1 && outcome != 2)
            r.fail("unknown outcome");
        e.outcome = static_cast<Outcome>(outcome);
        h.history.push_back(e);
    }
    r.end();
    return h;
}

TransferId new_transfer_id() {
    TransferId id{};
    if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1)
        throw std::runtime_error("no random bytes for a transfer id");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    for (int i = 0; i < 6; ++i)
        id[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(ms) >> (40 - 8 * i));
    id[6] = static_cast<std::uint8_t>(0x70 | (id[6] & 0x0f));
    id[8] = static_cast<std::uint8_t>(0x80 | (id[8] & 0x3f));
    return id;
}

std::string to_string(const TransferId& id) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += '-';
        out += kHex[id[i] >> 4];
        out += kHex[id[i] & 0xf];
    }
    return out;
}

std::optional<TransferId> parse_transfer_id(const std::string& text) {
    if (text.size() != 36)
        return std::nullopt;
    TransferId id{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return std::nullopt;
            continue;
        }
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return std::nullopt;
        id[n / 2] = static_cast<std::uint8_t>(id[n / 2] | (n % 2 == 0 ? v << 4 : v));
        ++n;
    }
    return id;
}

}  // namespace sekisho::oneway

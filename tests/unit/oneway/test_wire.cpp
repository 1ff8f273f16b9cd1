// The datagram bodies of PROTOCOL.md: what is encoded parses back, and every malformed
// body (short, long, out of range) is a ParseError, never a crash or a wrong value.

#include <catch2/catch.hpp>

#include "adapters/oneway/wire.hpp"

using namespace sekisho::oneway;

namespace {

TransferHeader sample_header() {
    TransferHeader t;
    t.id = new_transfer_id();
    t.number = 7;
    t.size = 123456789;
    t.sha256.fill(0xab);
    t.shard_size = 1400;
    t.data_shards = 32;
    t.parity_shards = 8;
    t.manifest = R"({"id":"x","kind":"filing"})";
    return t;
}

}  // namespace

TEST_CASE("a transfer header parses back to what was encoded", "[oneway][wire]") {
    const auto t = sample_header();
    CHECK(parse_transfer_header(encode(t)) == t);
    CHECK(t.groups() == (123456789 + 44799) / 44800);
}

TEST_CASE("every truncation of a transfer header or a heartbeat is refused", "[oneway][wire]") {
    const Bytes header = encode(sample_header());
    for (std::size_t n = 0; n < header.size(); ++n)
        CHECK_THROWS_AS(parse_transfer_header(ByteView(header).first(n)), ParseError);
    Bytes longer = header;
    longer.push_back(0);
    CHECK_THROWS_AS(parse_transfer_header(longer), ParseError);

    Heartbeat hb{"gateway", 3, 9, {{8, new_transfer_id(), Outcome::sent}}};
    const Bytes body = encode(hb);
    CHECK(parse_heartbeat(body) == hb);
    for (std::size_t n = 0; n < body.size(); ++n)
        CHECK_THROWS_AS(parse_heartbeat(ByteView(body).first(n)), ParseError);
}

TEST_CASE("out-of-range transfer headers are refused", "[oneway][wire]") {
    auto bad = [](auto change) {
        auto t = sample_header();
        change(t);
        return encode(t);
    };
    CHECK_THROWS_AS(parse_transfer_header(bad([](auto& t) { t.shard_size = 0; })), ParseError);
    CHECK_THROWS_AS(parse_transfer_header(bad([](auto& t) { t.shard_size = 1401; })), ParseError);
    CHECK_THROWS_AS(parse_transfer_header(bad([](auto& t) { t.data_shards = 0; })), ParseError);
    CHECK_THROWS_AS(parse_transfer_header(bad([](auto& t) {
                        t.data_shards = 200;
                        t.parity_shards = 56;
                    })),
                    ParseError);
    CHECK_THROWS_AS(parse_transfer_header(bad([](auto& t) { t.size = (1ull << 40) + 1; })),
                    ParseError);
    CHECK_THROWS_AS(parse_transfer_header(bad([](auto& t) { t.number = 0; })), ParseError);
    auto t = sample_header();
    t.manifest.assign(1201, 'x');
    CHECK_THROWS(encode(t));
}

TEST_CASE("a shard parses without copying and refuses empty or oversized bytes", "[oneway][wire]") {
    const auto id = new_transfer_id();
    const auto prefix = encode_shard_prefix({id, 0x01020304, 37, {}});
    Bytes body(prefix.begin(), prefix.end());
    body.resize(body.size() + 1400, 0x5a);
    const auto s = parse_shard(body);
    CHECK(s.id == id);
    CHECK(s.group == 0x01020304);
    CHECK(s.index == 37);
    CHECK(s.bytes.size() == 1400);
    CHECK(s.bytes.data() == body.data() + prefix.size());
    CHECK_THROWS_AS(parse_shard(ByteView(body).first(prefix.size())), ParseError);
    body.push_back(0);
    CHECK_THROWS_AS(parse_shard(body), ParseError);
}

TEST_CASE("only version-1 Sekisho headers with a session and a sequence are taken",
          "[oneway][wire]") {
    const auto h = encode_header({Type::heartbeat, 42, 9});
    Bytes d(h.begin(), h.end());
    d.resize(d.size() + kTagBytes);
    const auto parsed = parse_header(d);
    REQUIRE(parsed);
    CHECK(parsed->type == Type::heartbeat);
    CHECK(parsed->session == 42);
    CHECK(parsed->sequence == 9);
    for (const std::size_t at : {0u, 4u, 5u, 6u}) {
        Bytes bad = d;
        bad[at] ^= 0x40;
        CHECK_FALSE(parse_header(bad));
    }
    CHECK_FALSE(parse_header(ByteView(d).first(d.size() - 1)));
    Bytes huge = d;
    huge.resize(kMaxDatagram + 1);
    CHECK_FALSE(parse_header(huge));
    const auto zero = encode_header({Type::shard, 0, 1});
    Bytes z(zero.begin(), zero.end());
    z.resize(z.size() + kTagBytes);
    CHECK_FALSE(parse_header(z));
}

TEST_CASE("transfer ids print as UUIDs and parse back", "[oneway][wire]") {
    const auto id = new_transfer_id();
    const auto text = to_string(id);
    CHECK(text.size() == 36);
    CHECK(text[14] == '7');
    CHECK(parse_transfer_id(text) == id);
    CHECK_FALSE(parse_transfer_id("not-a-uuid"));
    CHECK_FALSE(parse_transfer_id(std::string(36, 'g')));
    CHECK(new_transfer_id() != id);
}

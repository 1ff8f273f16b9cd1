// Per-datagram AES-256-GCM: a datagram opens only with the right key and session, and
// any change to any bit of it — header, body or tag — makes it fail.

#include <catch2/catch.hpp>

#include "adapters/oneway/datagram_crypto.hpp"
#include "tests/unit/oneway/oneway_test_support.hpp"

using namespace sekisho;
using namespace sekisho::oneway;

TEST_CASE("a sealed datagram opens to its body and hides it", "[oneway][crypto]") {
    const auto key = test::oneway_key();
    SessionCipher sender(key, 1000);
    SessionCipher receiver(key, 1000);
    const std::string text = "the body of a datagram";
    const ByteView body(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    const std::array<ByteView, 2> parts{body.first(4), body.subspan(4)};
    Bytes d;
    sender.seal(Type::shard, 5, parts, d);
    CHECK(d.size() == kHeaderBytes + text.size() + kTagBytes);
    CHECK(std::search(d.begin(), d.end(), text.begin(), text.end()) == d.end());
    const auto h = parse_header(d);
    REQUIRE(h);
    Bytes opened;
    REQUIRE(receiver.open(*h, d, opened));
    CHECK(std::string(opened.begin(), opened.end()) == text);
}

TEST_CASE("every flipped bit of a datagram makes it fail authentication", "[oneway][crypto]") {
    const auto key = test::oneway_key();
    SessionCipher sender(key, 77);
    SessionCipher receiver(key, 77);
    const Bytes body(100, 0x11);
    const std::array<ByteView, 1> parts{ByteView(body)};
    Bytes d;
    sender.seal(Type::heartbeat, 3, parts, d);
    int refused = 0;
    for (std::size_t bit = 0; bit < d.size() * 8; ++bit) {
        Bytes flipped = d;
        flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        const auto h = parse_header(flipped);
        Bytes out;
        if (!h || !receiver.open(*h, flipped, out)) {
            ++refused;
            CHECK(out.empty());
        }
    }
    CHECK(refused == static_cast<int>(d.size() * 8));
}

TEST_CASE("another key, another session or a truncation does not open", "[oneway][crypto]") {
    const auto key = test::oneway_key();
    SessionCipher sender(key, 10);
    const Bytes body(40, 0x22);
    const std::array<ByteView, 1> parts{ByteView(body)};
    Bytes d;
    sender.seal(Type::shard, 1, parts, d);
    const auto h = parse_header(d);
    REQUIRE(h);
    Bytes out;
    SessionCipher stranger(test::oneway_key(), 10);
    CHECK_FALSE(stranger.open(*h, d, out));
    SessionCipher other_session(key, 11);
    CHECK_FALSE(other_session.open(*h, d, out));
    SessionCipher right(key, 10);
    CHECK_FALSE(right.open(*h, ByteView(d).first(d.size() - 1), out));
    CHECK(right.open(*h, d, out));
}

TEST_CASE("a body too large for one datagram is refused when sealing", "[oneway][crypto]") {
    SessionCipher c(test::oneway_key(), 1);
    const Bytes body(kMaxBody + 1, 0);
    const std::array<ByteView, 1> parts{ByteView(body)};
    Bytes d;
    CHECK_THROWS_AS(c.seal(Type::shard, 1, parts, d), std::invalid_argument);
    CHECK_THROWS(SessionCipher(config::SecretBytes(std::vector<unsigned char>(31, 1)), 1));
}

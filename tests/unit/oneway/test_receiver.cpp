// The receiver with datagrams from a real Sender, lost, reordered, repeated, forged or
// damaged on purpose: every transfer is delivered exactly once and byte for byte, or
// named lost; nothing forged, replayed or corrupt is ever delivered.

#include <algorithm>

#include "tests/unit/oneway/receiver_fixture.hpp"

using namespace sekisho;
using namespace sekisho::oneway;
using namespace std::chrono_literals;

namespace {

std::vector<Bytes> drop_randomly(const std::vector<Bytes>& in, double p, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution lose(p);
    std::vector<Bytes> out;
    for (const auto& d : in) {
        if (!lose(rng))
            out.push_back(d);
    }
    return out;
}

}  // namespace

TEST_CASE("a transfer sent whole is delivered once, byte for byte, with its manifest",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto a = new_transfer_id();
    const auto b = new_transfer_id();
    const auto empty = new_transfer_id();
    const auto bytes_a = test::random_bytes(1'000'000, 1);
    const auto bytes_b = test::random_bytes(1000, 2);
    f.feed(f.send({{a, bytes_a}, {b, bytes_b}, {empty, {}}}));
    CHECK(f.delivered(a, bytes_a));
    CHECK(f.delivered(b, bytes_b));
    CHECK(f.delivered(empty, {}));
    CHECK(f.inbox_files() == 6);
    const auto c = f.receiver->counters();
    CHECK(c.delivered == 3);
    CHECK(c.auth_failures == 0);
    CHECK(c.replays == 0);
    CHECK(c.lost_transfers == 0);
    CHECK(c.active_transfers == 0);
}

TEST_CASE("random loss of 5% in each repetition is repaired", "[oneway][receiver]") {
    test::ReceiverFixture f;
    std::vector<std::pair<TransferId, Bytes>> items;
    for (std::uint32_t i = 0; i < 5; ++i)
        items.push_back({new_transfer_id(), test::random_bytes(200'000 + i * 77'777, i + 10)});
    f.feed(drop_randomly(f.send(items), 0.05, 42));
    for (const auto& [id, bytes] : items)
        CHECK(f.delivered(id, bytes));
    CHECK(f.receiver->counters().shards_repaired > 0);
    CHECK(f.receiver->counters().lost_transfers == 0);
}

TEST_CASE("reordered and duplicated datagrams deliver once, duplicates counted as replays",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(300'000, 3);
    auto datagrams = f.send({{id, bytes}});
    const auto n = datagrams.size();
    datagrams.insert(datagrams.end(), datagrams.begin(), datagrams.begin() + 100);
    std::mt19937 rng(5);
    // Reordering within a few hundred datagrams, as a busy network could.
    for (std::size_t i = 0; i + 1 < datagrams.size(); ++i)
        std::swap(datagrams[i], datagrams[std::min(datagrams.size() - 1, i + rng() % 300)]);
    f.feed(datagrams);
    CHECK(f.delivered(id, bytes));
    CHECK(f.inbox_files() == 2);
    CHECK(f.receiver->counters().replays == 100);
    CHECK(f.receiver->counters().datagrams == n + 100);
}

TEST_CASE("a group beyond repair leaves the transfer undelivered and named lost",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(50'000, 4);
    SenderOptions o;
    o.fec_data = 4;
    o.fec_parity = 2;
    o.repeat = 1;
    o.shard_size = 500;
    std::vector<Bytes> kept;
    for (const auto& d : f.send({{id, bytes}}, o)) {
        const auto c = f.classify(d);
        // Three shards of group 2 are lost: one more than the parity can repair.
        if (c.shard && c.shard->group == 2 && c.shard->index < 3)
            continue;
        kept.push_back(d);
    }
    f.feed(kept);
    CHECK(f.inbox_files() == 0);
    CHECK(f.receiver->counters().lost_transfers == 0);  // not before the grace period
    f.advance(3s);
    CHECK(f.receiver->counters().lost_transfers == 1);
    CHECK(f.receiver->counters().lost_groups == 1);
    CHECK(f.receiver->counters().active_transfers == 0);
    const auto lost = test::read_file(f.dir / "state" / "lost");
    CHECK(lost.find(to_string(id)) != std::string::npos);
    CHECK(lost.find("1 of 25 FEC groups beyond repair") != std::string::npos);
    CHECK(f.partial_files() == 0);
}

TEST_CASE("a transfer never seen is named lost from the heartbeats' history",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto seen = new_transfer_id();
    const auto unseen = new_transfer_id();
    const auto bytes = test::random_bytes(10'000, 5);
    std::vector<Bytes> kept;
    for (const auto& d : f.send({{seen, bytes}, {unseen, bytes}})) {
        const auto c = f.classify(d);
        const bool of_unseen =
            (c.shard && c.shard->id == unseen) || (c.header && c.header->id == unseen);
        if (!of_unseen)
            kept.push_back(d);
    }
    f.feed(kept);
    f.advance(3s);
    CHECK(f.delivered(seen, bytes));
    CHECK(f.receiver->counters().lost_transfers == 1);
    const auto lost = test::read_file(f.dir / "state" / "lost");
    CHECK(lost == to_string(unseen) + " never seen\n");
    // Heartbeats repeat the history: the loss is reported once.
    f.feed(kept);
    f.advance(3s);
    CHECK(f.receiver->counters().lost_transfers == 1);
}

TEST_CASE("forged, truncated and bit-flipped datagrams are dropped, counted, never delivered",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(100'000, 6);
    const auto genuine = f.send({{id, bytes}});
    std::mt19937 rng(7);
    std::vector<Bytes> attacks;
    for (const auto& d : genuine) {
        Bytes flipped = d;
        flipped[rng() % flipped.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
        attacks.push_back(flipped);
        attacks.emplace_back(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(rng() % d.size()));
    }
    // Forged: a well-formed header, a later session, random "ciphertext" (someone
    // without the key trying to start a session of their own).
    for (int i = 0; i < 100; ++i) {
        const auto h =
            encode_header({Type::transfer_header, 5000 + static_cast<std::uint64_t>(i), 1});
        Bytes forged(h.begin(), h.end());
        forged.resize(200);
        for (std::size_t j = kHeaderBytes; j < forged.size(); ++j)
            forged[j] = static_cast<std::uint8_t>(rng());
        attacks.push_back(forged);
    }
    f.feed(attacks);
    const auto c = f.receiver->counters();
    CHECK(f.inbox_files() == 0);
    CHECK(c.delivered == 0);
    CHECK(c.auth_failures + c.malformed == attacks.size());
    CHECK(c.auth_failures >= genuine.size());
    // The genuine datagrams still get through afterwards: forgeries moved nothing. (Each
    // forged session number cost a key derivation, at most 50 a second: the genuine
    // session is tried once the second has passed.)
    f.advance(std::chrono::seconds(1));
    f.feed(genuine);
    CHECK(f.delivered(id, bytes));
}

TEST_CASE("datagrams of an older session are replays once a newer one was seen",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto old_id = new_transfer_id();
    const auto new_id = new_transfer_id();
    const auto bytes = test::random_bytes(20'000, 8);
    const auto old_session = f.send({{old_id, bytes}}, {}, 100);
    const auto new_session = f.send({{new_id, bytes}}, {}, 200);
    f.feed(new_session);
    f.feed(old_session);
    CHECK(f.delivered(new_id, bytes));
    CHECK_FALSE(f.delivered(old_id, bytes));
    CHECK(f.receiver->counters().replays == old_session.size());
    // Also after a restart: the newest session is remembered.
    f.restart();
    f.feed(old_session);
    CHECK(f.receiver->counters().replays == old_session.size());
    CHECK(f.inbox_files() == 2);
}

TEST_CASE("a delivered transfer replayed to a restarted receiver is not written again",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(30'000, 9);
    const auto datagrams = f.send({{id, bytes}});
    f.feed(datagrams);
    REQUIRE(f.delivered(id, bytes));
    // The core system takes the item away; the receiver still remembers it.
    std::filesystem::remove_all(f.dir / "inbox");
    f.restart();
    f.feed(datagrams);
    CHECK(f.inbox_files() == 0);
    CHECK(f.receiver->counters().delivered == 0);
}

TEST_CASE("a receiver restarted in the middle of a transfer completes it from the repetition",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(2'000'000, 10);
    const auto datagrams = f.send({{id, bytes}});
    const auto half = datagrams.size() / 4;  // a quarter in: inside the first repetition
    f.feed({datagrams.begin(), datagrams.begin() + static_cast<std::ptrdiff_t>(half)});
    CHECK(f.partial_files() == 1);
    CHECK(f.inbox_files() == 0);
    f.restart();
    CHECK(f.partial_files() == 0);  // removed at start: its group state was in memory
    f.feed({datagrams.begin() + static_cast<std::ptrdiff_t>(half), datagrams.end()});
    CHECK(f.delivered(id, bytes));
    CHECK(f.inbox_files() == 2);
}

TEST_CASE("a transfer whose bytes do not match its digest is never delivered",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(40'000, 11);
    // A sender bug: the header's digest is wrong, everything else authentic.
    SessionCipher cipher(f.key, 1000);
    std::vector<Bytes> datagrams;
    for (const auto& d : f.send({{id, bytes}})) {
        auto c = f.classify(d);
        if (!c.header) {
            datagrams.push_back(d);
            continue;
        }
        c.header->sha256[0] ^= 1;
        const Bytes body = encode(*c.header);
        const std::array<ByteView, 1> parts{ByteView(body)};
        Bytes resealed;
        cipher.seal(Type::transfer_header, parse_header(d)->sequence, parts, resealed);
        datagrams.push_back(resealed);
    }
    f.feed(datagrams);
    CHECK(f.inbox_files() == 0);
    CHECK(f.partial_files() == 0);
    CHECK(f.receiver->counters().corrupt_transfers == 1);
    CHECK(test::read_file(f.dir / "state" / "lost").find("corrupt") != std::string::npos);
}

TEST_CASE("limits: a transfer over max_transfer is refused, memory stays bounded",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    f.options.max_transfer = 100'000;
    f.options.max_buffered = 2 * 1400 * 40;  // two groups
    f.restart();
    const auto big = new_transfer_id();
    const auto small = new_transfer_id();
    const auto big_bytes = test::random_bytes(100'001, 12);
    const auto small_bytes = test::random_bytes(90'000, 13);
    // Interleaved 8 groups at a time, a transfer needs more than two group buffers at
    // once unless every shard arrives: with losses the memory limit bites.
    f.feed(drop_randomly(f.send({{big, big_bytes}, {small, small_bytes}}), 0.1, 99));
    const auto c = f.receiver->counters();
    CHECK(c.refused_transfers == 1);
    CHECK_FALSE(std::filesystem::exists(f.dir / "inbox" / (to_string(big) + ".zip")));
    CHECK(c.buffered_bytes <= f.options.max_buffered);
    // Whatever the limit cost, nothing is delivered unless it is whole and right.
    if (c.delivered == 1)
        CHECK(f.delivered(small, small_bytes));
    CHECK(c.shards_dropped_memory > 0);
}

TEST_CASE("missing heartbeats and a silent sender are counted", "[oneway][receiver]") {
    test::ReceiverFixture f;
    SenderOptions o;
    o.heartbeat_interval = std::chrono::milliseconds(0);  // one after every stripe
    std::vector<Bytes> kept;
    int heartbeats = 0;
    for (const auto& d : f.send({{new_transfer_id(), test::random_bytes(500'000, 14)}}, o)) {
        if (f.classify(d).type == Type::heartbeat && ++heartbeats % 3 == 0)
            continue;  // every third heartbeat lost
        kept.push_back(d);
    }
    f.feed(kept);
    const auto gaps = f.receiver->counters().heartbeat_gaps;
    CHECK(gaps >= static_cast<std::uint64_t>(heartbeats / 3 - 1));
    f.advance(4s);
    CHECK(f.receiver->counters().heartbeat_gaps == gaps + 1);
}

TEST_CASE("shards that overtake their header are kept and used once it arrives",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(60'000, 15);
    SenderOptions o;
    o.repeat = 1;
    std::vector<Bytes> datagrams;
    bool first_header_dropped = false;
    for (const auto& d : f.send({{id, bytes}}, o)) {
        if (!first_header_dropped && f.classify(d).header) {
            first_header_dropped = true;  // the opening header is lost
            continue;
        }
        datagrams.push_back(d);
    }
    // Every shard comes before the closing header: without keeping them, nothing of
    // this single repetition could be used.
    f.feed(datagrams);
    CHECK(f.delivered(id, bytes));
    CHECK(f.receiver->counters().shards_without_header == 0);
}

TEST_CASE("a transfer that went by unseen, with the heartbeats naming it, is still counted",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto a = new_transfer_id();
    const auto b = new_transfer_id();
    const auto c = new_transfer_id();
    const auto bytes = test::random_bytes(20'000, 16);
    std::vector<Bytes> kept;
    for (const auto& d : f.send({{a, bytes}, {b, bytes}, {c, bytes}}, {}, 1000)) {
        const auto cl = f.classify(d);
        const bool of_b = (cl.shard && cl.shard->id == b) || (cl.header && cl.header->id == b);
        if (!of_b && cl.type != Type::heartbeat)
            kept.push_back(d);
    }
    f.feed(kept);
    CHECK(f.receiver->counters().lost_transfers == 0);
    // The sender restarts: its old session is over, and transfer 2 of it was never seen.
    const auto d = new_transfer_id();
    f.feed(f.send({{d, bytes}}, {}, 2000));
    CHECK(f.delivered(a, bytes));
    CHECK(f.delivered(c, bytes));
    CHECK(f.delivered(d, bytes));
    CHECK(f.receiver->counters().lost_transfers == 1);
    CHECK(test::read_file(f.dir / "state" / "lost") ==
          "unknown-id session 1000 transfer_number 2\n");
}

TEST_CASE("a transfer sent again with another code by a new session is started again",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(400'000, 17);
    const auto first = f.send({{id, bytes}}, {}, 1000);
    f.feed({first.begin(), first.begin() + static_cast<std::ptrdiff_t>(first.size() / 5)});
    SenderOptions other;
    other.fec_data = 16;
    other.fec_parity = 4;
    f.feed(f.send({{id, bytes}}, other, 2000));
    CHECK(f.delivered(id, bytes));
    CHECK(f.receiver->counters().corrupt_transfers == 0);
}

TEST_CASE("a record line cut short by a crash does not swallow the next one",
          "[oneway][receiver]") {
    test::ReceiverFixture f;
    std::filesystem::create_directories(f.dir / "state");
    test::write_file(f.dir / "state" / "delivered", "01a23455-d818-7b76-85", 0600);  // torn
    f.restart();
    const auto id = new_transfer_id();
    const auto bytes = test::random_bytes(5'000, 18);
    const auto datagrams = f.send({{id, bytes}});
    f.feed(datagrams);
    REQUIRE(f.delivered(id, bytes));
    std::filesystem::remove_all(f.dir / "inbox");  // taken by the core system
    f.restart();
    f.feed(datagrams);
    CHECK(f.inbox_files() == 0);  // still remembered as delivered
}

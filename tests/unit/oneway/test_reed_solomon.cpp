// ISA-L Reed-Solomon with a Cauchy matrix: any k of k + m shards rebuild the data; fewer
// than k are refused, never guessed.

#include <catch2/catch.hpp>
#include <random>

#include "adapters/oneway/reed_solomon.hpp"

using sekisho::oneway::ReedSolomon;

namespace {

struct Group {
    std::vector<std::vector<std::uint8_t>> shards;
};

Group encoded(const ReedSolomon& rs, std::size_t len, std::mt19937& rng) {
    const int k = rs.data_shards();
    const int m = rs.parity_shards();
    Group g;
    g.shards.assign(k + m, std::vector<std::uint8_t>(len));
    for (int i = 0; i < k; ++i) {
        for (auto& b : g.shards[i])
            b = static_cast<std::uint8_t>(rng());
    }
    std::vector<const std::uint8_t*> data;
    std::vector<std::uint8_t*> parity;
    for (int i = 0; i < k; ++i)
        data.push_back(g.shards[i].data());
    for (int i = k; i < k + m; ++i)
        parity.push_back(g.shards[i].data());
    rs.encode(data, parity, len);
    return g;
}

// Drops the shards in `lost`, rebuilds, and says whether every data shard came back.
bool rebuilds(const ReedSolomon& rs, const Group& g, const std::vector<int>& lost,
              std::size_t len) {
    const int k = rs.data_shards();
    std::vector<const std::uint8_t*> shards;
    for (std::size_t i = 0; i < g.shards.size(); ++i)
        shards.push_back(std::find(lost.begin(), lost.end(), static_cast<int>(i)) == lost.end()
                             ? g.shards[i].data()
                             : nullptr);
    std::vector<std::vector<std::uint8_t>> out(k, std::vector<std::uint8_t>(len));
    std::vector<std::uint8_t*> out_ptrs;
    for (auto& o : out)
        out_ptrs.push_back(o.data());
    if (!rs.reconstruct(shards, out_ptrs, len))
        return false;
    for (int i = 0; i < k; ++i) {
        const auto& got = shards[i] ? g.shards[i] : out[i];
        if (got != g.shards[i])
            return false;
    }
    return true;
}

}  // namespace

TEST_CASE("any m lost shards of a small group are rebuilt", "[oneway][fec]") {
    std::mt19937 rng(1);
    const ReedSolomon rs(4, 3);
    const auto g = encoded(rs, 64, rng);
    int patterns = 0;
    for (int a = 0; a < 7; ++a)
        for (int b = a + 1; b < 7; ++b)
            for (int c = b + 1; c < 7; ++c) {
                CHECK(rebuilds(rs, g, {a, b, c}, 64));
                ++patterns;
            }
    CHECK(patterns == 35);
    CHECK_FALSE(rebuilds(rs, g, {0, 1, 2, 3}, 64));
}

TEST_CASE("the configured code (32 + 8) rebuilds random losses up to 8", "[oneway][fec]") {
    std::mt19937 rng(2);
    const ReedSolomon rs(32, 8);
    const auto g = encoded(rs, 1400, rng);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<int> all(40);
        std::iota(all.begin(), all.end(), 0);
        std::shuffle(all.begin(), all.end(), rng);
        const int n = static_cast<int>(rng() % 9);
        CHECK(rebuilds(rs, g, {all.begin(), all.begin() + n}, 1400));
    }
    std::vector<int> nine{0, 1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_FALSE(rebuilds(rs, g, nine, 1400));
}

TEST_CASE("encoding is deterministic, so repetitions can be merged", "[oneway][fec]") {
    std::mt19937 a(3);
    std::mt19937 b(3);
    const ReedSolomon rs(8, 4);
    CHECK(encoded(rs, 100, a).shards == encoded(rs, 100, b).shards);
}

TEST_CASE("bad code parameters are refused", "[oneway][fec]") {
    CHECK_THROWS(ReedSolomon(0, 1));
    CHECK_THROWS(ReedSolomon(200, 56));
    CHECK_NOTHROW(ReedSolomon(1, 0));
}

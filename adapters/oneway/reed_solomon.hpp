#pragma once
// Reed-Solomon erasure code over GF(2^8) with a Cauchy matrix, on ISA-L: k data shards,
// m parity shards, and any k of the k + m rebuild the data. Encoding is deterministic,
// which lets the receiver merge shards of several repetitions.

#include <cstdint>
#include <span>
#include <vector>

namespace sekisho::oneway {

class ReedSolomon {
  public:
    ReedSolomon(int data_shards, int parity_shards);

    int data_shards() const { return k_; }
    int parity_shards() const { return m_; }

    // parity[i] receives len bytes for each of the m parity shards.
    void encode(std::span<const std::uint8_t* const> data, std::span<std::uint8_t* const> parity,
                std::size_t len) const;

    // shards[i] is shard i (0..k+m-1) or nullptr when missing; data shards that are
    // missing are rebuilt into out[i] (k pointers, used only for missing ones).
    // False when fewer than k shards are present.
    bool reconstruct(std::span<const std::uint8_t* const> shards,
                     std::span<std::uint8_t* const> out, std::size_t len) const;

  private:
    int k_;
    int m_;
    std::vector<std::uint8_t> matrix_;  // (k + m) x k; the top k rows are the identity
    std::vector<std::uint8_t> encode_tables_;
};

}  // namespace sekisho::oneway

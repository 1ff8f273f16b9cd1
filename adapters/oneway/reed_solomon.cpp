#include "adapters/oneway/reed_solomon.hpp"

#include <isa-l/erasure_code.h>

#include <stdexcept>

namespace sekisho::oneway {

ReedSolomon::ReedSolomon(int data_shards, int parity_shards) : k_(data_shards), m_(parity_shards) {
    if (k_ < 1 || m_ < 0 || k_ + m_ > 255)
        throw std::invalid_argument(
            "erasure code: need 1 <= data, 0 <= parity, data + parity <= 255");
    matrix_.resize(static_cast<std::size_t>(k_ + m_) * k_);
    gf_gen_cauchy1_matrix(matrix_.data(), k_ + m_, k_);
    encode_tables_.resize(static_cast<std::size_t>(32) * k_ * std::max(m_, 1));
    if (m_ > 0)
        ec_init_tables(k_, m_, &matrix_[static_cast<std::size_t>(k_) * k_], encode_tables_.data());
}

void ReedSolomon::encode(std::span<const std::uint8_t* const> data,
                         std::span<std::uint8_t* const> parity, std::size_t len) const {
    if (data.size() != static_cast<std::size_t>(k_) ||
        parity.size() != static_cast<std::size_t>(m_))
        throw std::invalid_argument("erasure code: wrong number of shards");
    if (m_ == 0 || len == 0)
        return;
    ec_encode_data(static_cast<int>(len), k_, m_, const_cast<std::uint8_t*>(encode_tables_.data()),
                   const_cast<std::uint8_t**>(data.data()),
                   const_cast<std::uint8_t**>(parity.data()));
}

bool ReedSolomon::reconstruct(std::span<const std::uint8_t* const> shards,
                              std::span<std::uint8_t* const> out, std::size_t len) const {
    if (shards.size() != static_cast<std::size_t>(k_ + m_) ||
        out.size() != static_cast<std::size_t>(k_))
        throw std::invalid_argument("erasure code: wrong number of shards");
    std::vector<int> missing;
    for (int i = 0; i < k_; ++i) {
        if (shards[i] == nullptr)
            missing.push_back(i);
    }
    if (missing.empty())
        return true;
    // The first k shards present, and the rows of the matrix that made them.
    std::vector<const std::uint8_t*> sources;
    std::vector<std::uint8_t> rows;
    for (int i = 0; i < k_ + m_ && static_cast<int>(sources.size()) < k_; ++i) {
        if (shards[i] == nullptr)
            continue;
        sources.push_back(shards[i]);
        rows.insert(rows.end(), matrix_.begin() + static_cast<std::ptrdiff_t>(i) * k_,
                    matrix_.begin() + static_cast<std::ptrdiff_t>(i + 1) * k_);
    }
    if (static_cast<int>(sources.size()) < k_)
        return false;
    std::vector<std::uint8_t> inverse(rows.size());
    if (gf_invert_matrix(rows.data(), inverse.data(), k_) != 0)
        return false;  // cannot happen with a Cauchy matrix; refuse rather than guess
    std::vector<std::uint8_t> decode_rows;
    std::vector<std::uint8_t*> targets;
    for (const int i : missing) {
        decode_rows.insert(decode_rows.end(), inverse.begin() + static_cast<std::ptrdiff_t>(i) * k_,
                           inverse.begin() + static_cast<std::ptrdiff_t>(i + 1) * k_);
        targets.push_back(out[i]);
    }
    const int n = static_cast<int>(missing.size());
    std::vector<std::uint8_t> tables(static_cast<std::size_t>(32) * k_ * n);
    ec_init_tables(k_, n, decode_rows.data(), tables.data());
    ec_encode_data(static_cast<int>(len), k_, n, tables.data(),
                   const_cast<std::uint8_t**>(sources.data()), targets.data());
    return true;
}

}  // namespace sekisho::oneway

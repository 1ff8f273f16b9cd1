#pragma once
// One transfer being put together on the receiving side. Shards are kept in memory per
// FEC group only until the group has any k of its k + m shards; then the group is
// rebuilt, written at its offset into the partial file and freed. The SHA-256 runs
// along behind the completed groups, so the check at the end costs nothing extra.

#include <filesystem>
#include <map>
#include <vector>

#include "adapters/oneway/reed_solomon.hpp"
#include "adapters/oneway/wire.hpp"
#include "common/digest.hpp"

namespace sekisho::oneway {

class Assembly {
  public:
    enum class Added { ignored, stored, transfer_complete };

    // Creates the partial file (mode 0600, O_EXCL): throws std::system_error on failure.
    Assembly(TransferHeader header, std::filesystem::path partial);
    ~Assembly();  // closes the file; the owner decides whether it is removed
    Assembly(const Assembly&) = delete;
    Assembly& operator=(const Assembly&) = delete;

    const TransferHeader& header() const { return header_; }
    const std::filesystem::path& partial() const { return partial_; }
    // Adds one shard; `repaired` grows by the data shards rebuilt from parity.
    Added add(const Shard& shard, const ReedSolomon& code, std::uint64_t& repaired);
    // Whether adding this shard would take a new group buffer.
    bool needs_buffer(const Shard& shard) const {
        return shard.group < done_.size() && !done_[shard.group] && !pending_.count(shard.group);
    }
    bool complete() const { return groups_done_ == header_.groups(); }
    std::uint64_t groups_missing() const { return header_.groups() - groups_done_; }
    std::size_t buffered_bytes() const { return pending_.size() * group_bytes(); }
    std::size_t group_bytes() const;
    // After complete(): the file is synced and its bytes match the header's SHA-256.
    bool finish();

  private:
    struct Group {
        std::vector<std::uint8_t> bytes;  // (k + m) shards of shard_size
        std::vector<bool> present;
        int count = 0;
    };
    void complete_group(std::uint32_t index, Group& group, const ReedSolomon& code,
                        std::uint64_t& repaired);
    void write_group(std::uint32_t index, const std::uint8_t* data);
    void hash_forward(std::uint32_t just_done, const std::uint8_t* data);
    std::size_t group_length(std::uint64_t index) const;

    TransferHeader header_;
    std::filesystem::path partial_;
    int fd_ = -1;
    std::map<std::uint32_t, Group> pending_;
    std::vector<bool> done_;
    std::uint64_t groups_done_ = 0;
    std::uint64_t hashed_groups_ = 0;
    Sha256 hash_;
};

}  // namespace sekisho::oneway

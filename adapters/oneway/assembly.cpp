#include "adapters/oneway/assembly.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace sekisho::oneway {
namespace {

void pwrite_all(int fd, const std::uint8_t* data, std::size_t len, std::uint64_t offset,
                const std::filesystem::path& path) {
    while (len > 0) {
        const ssize_t n = ::pwrite(fd, data, len, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::system_error(errno, std::generic_category(), "write " + path.string());
        data += n;
        len -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

void pread_all(int fd, std::uint8_t* data, std::size_t len, std::uint64_t offset,
               const std::filesystem::path& path) {
    while (len > 0) {
        const ssize_t n = ::pread(fd, data, len, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw std::system_error(errno ? errno : EIO, std::generic_category(),
                                    "read " + path.string());
        data += n;
        len -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

}  // namespace

Assembly::Assembly(TransferHeader header, std::filesystem::path partial)
    : header_(std::move(header)), partial_(std::move(partial)), done_(header_.groups(), false) {
    fd_ = ::open(partial_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "create " + partial_.string());
}

Assembly::~Assembly() {
    if (fd_ >= 0)
        ::close(fd_);
}

std::size_t Assembly::group_bytes() const {
    return std::size_t{header_.shard_size} * (header_.data_shards + header_.parity_shards);
}

std::size_t Assembly::group_length(std::uint64_t index) const {
    const std::uint64_t per_group = std::uint64_t{header_.shard_size} * header_.data_shards;
    const std::uint64_t start = index * per_group;
    return static_cast<std::size_t>(std::min(per_group, header_.size - start));
}

Assembly::Added Assembly::add(const Shard& s, const ReedSolomon& code, std::uint64_t& repaired) {
    const std::size_t total = header_.data_shards + header_.parity_shards;
    if (s.group >= done_.size() || s.index >= total || s.bytes.size() != header_.shard_size)
        return Added::ignored;
    if (done_[s.group])
        return Added::ignored;
    Group& g = pending_[s.group];
    if (g.bytes.empty()) {
        g.bytes.resize(group_bytes());
        g.present.assign(total, false);
    }
    if (g.present[s.index])
        return Added::ignored;
    std::memcpy(g.bytes.data() + std::size_t{s.index} * header_.shard_size, s.bytes.data(),
                header_.shard_size);
    g.present[s.index] = true;
    if (++g.count < header_.data_shards)
        return Added::stored;
    complete_group(s.group, g, code, repaired);
    pending_.erase(s.group);
    return complete() ? Added::transfer_complete : Added::stored;
}

void Assembly::complete_group(std::uint32_t index, Group& g, const ReedSolomon& code,
                              std::uint64_t& repaired) {
    const std::size_t k = header_.data_shards;
    const std::size_t len = header_.shard_size;
    std::vector<const std::uint8_t*> shards(g.present.size(), nullptr);
    std::vector<std::uint8_t*> out(k);
    for (std::size_t i = 0; i < g.present.size(); ++i) {
        if (g.present[i])
            shards[i] = g.bytes.data() + i * len;
    }
    for (std::size_t i = 0; i < k; ++i) {
        out[i] = g.bytes.data() + i * len;
        repaired += g.present[i] ? 0 : 1;
    }
    if (!code.reconstruct(shards, out, len))
        throw std::logic_error("erasure code refused a group with k shards");
    write_group(index, g.bytes.data());
    done_[index] = true;
    ++groups_done_;
    hash_forward(index, g.bytes.data());
}

void Assembly::write_group(std::uint32_t index, const std::uint8_t* data) {
    const std::uint64_t offset = std::uint64_t{index} * header_.shard_size * header_.data_shards;
    pwrite_all(fd_, data, group_length(index), offset, partial_);
}

void Assembly::hash_forward(std::uint32_t just_done, const std::uint8_t* data) {
    std::vector<std::uint8_t> scratch;
    while (hashed_groups_ < done_.size() && done_[hashed_groups_]) {
        const std::size_t len = group_length(hashed_groups_);
        if (hashed_groups_ == just_done) {
            hash_.update({data, len});
        } else {
            scratch.resize(len);
            const std::uint64_t offset =
                hashed_groups_ * std::uint64_t{header_.shard_size} * header_.data_shards;
            pread_all(fd_, scratch.data(), len, offset, partial_);
            hash_.update(scratch);
        }
        ++hashed_groups_;
    }
}

bool Assembly::finish() {
    if (!complete())
        return false;
    // The core system's reader is in the inbox's group; the manifest gets the same mode.
    if (::fchmod(fd_, 0640) != 0 || ::fsync(fd_) != 0)
        throw std::system_error(errno, std::generic_category(), "fsync " + partial_.string());
    const auto digest = hash_.finish();
    return std::equal(digest.begin(), digest.end(), header_.sha256.begin());
}

}  // namespace sekisho::oneway

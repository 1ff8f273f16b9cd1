#pragma once
// The sealed payload format: a 32-byte header, then AES-256-GCM chunks of at most
// kChunkBytes clear bytes, each followed by its 16-byte tag.
//
//   header = "SKSEAL1\0" | chunk size (u32 BE) | zero (u32) | item id (16 bytes)
//   chunk i: nonce = 0x00000000 | i (u64 BE); AAD = header | i (u64 BE) | final (u8)
//
// The item id in every chunk's AAD (taken from the index, not from the file) stops a
// payload from being moved to another item; the index stops chunks from being
// reordered; the final flag stops truncation at a chunk boundary. Each item has its own
// random data key, used for this one file only, so the counter nonces never repeat.

#include <cstdint>
#include <functional>
#include <string>

#include "queue/crypto.hpp"
#include "queue/item_id.hpp"

namespace sekisho::queue {

inline constexpr std::size_t kHeaderBytes = 32;
inline constexpr std::size_t kChunkBytes = 256 * 1024;

// Size of the sealed file for `clear_size` bytes of payload.
std::uint64_t sealed_size(std::uint64_t clear_size);

// Where sealed bytes go, and where they come from (read exactly n bytes or throw).
using ByteSink = std::function<void(ByteView)>;
using ReadExact = std::function<void(unsigned char*, std::size_t)>;
ByteSink fd_sink(int fd);
ReadExact fd_source(int fd);
ReadExact memory_source(ByteView bytes);

// Encrypts a stream into a sink.
class SealWriter {
  public:
    SealWriter(ByteSink out, const config::SecretBytes& data_key, const ItemId& id);
    ~SealWriter();
    SealWriter(const SealWriter&) = delete;
    SealWriter& operator=(const SealWriter&) = delete;

    void write(ByteView data);
    // Sends further sealed bytes to another sink (its owner moved).
    void rebind(ByteSink out) { out_sink_ = std::move(out); }
    // Seals the final chunk. No write() after this.
    void finish();

    std::uint64_t clear_size() const { return clear_size_; }
    const Digest& digest() const { return digest_; }

  private:
    void seal_chunk(ByteView clear, bool final);

    ByteSink out_sink_;
    const config::SecretBytes& key_;
    std::array<unsigned char, kHeaderBytes> header_{};
    Bytes buffer_;
    Bytes out_;
    std::uint64_t chunk_index_ = 0;
    std::uint64_t clear_size_ = 0;
    Sha256 hash_;
    Digest digest_{};
    bool finished_ = false;
    void* ctx_;
};

// Decrypts sealed bytes chunk by chunk; each chunk is authenticated before it is handed
// out. Throws AuthError on any mismatch, std::system_error on I/O errors.
class SealReader {
  public:
    SealReader(ReadExact in, std::uint64_t sealed_bytes, const config::SecretBytes& data_key,
               const ItemId& expected_id);
    ~SealReader();
    SealReader(const SealReader&) = delete;
    SealReader& operator=(const SealReader&) = delete;

    // Calls `sink` with each authenticated chunk, in order; returns the clear size.
    std::uint64_t read(const std::function<void(ByteView)>& sink);

  private:
    ReadExact in_;
    const config::SecretBytes& key_;
    std::array<unsigned char, kHeaderBytes> header_{};
    std::uint64_t body_size_ = 0;
    void* ctx_ = nullptr;
};

}  // namespace sekisho::queue

#include "queue/seal_format.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace sekisho::queue {
namespace {

constexpr char kMagic[8] = {'S', 'K', 'S', 'E', 'A', 'L', '1', '\0'};
constexpr std::size_t kSealedChunk = kChunkBytes + kTagBytes;

EVP_CIPHER_CTX* ctx_of(void* p) {
    return static_cast<EVP_CIPHER_CTX*>(p);
}

void put_u32(unsigned char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<unsigned char>(v >> (24 - 8 * i));
}

void put_u64(unsigned char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<unsigned char>(v >> (56 - 8 * i));
}

std::uint32_t get_u32(const unsigned char* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

std::array<unsigned char, kHeaderBytes> make_header(const ItemId& id) {
    std::array<unsigned char, kHeaderBytes> h{};
    std::memcpy(h.data(), kMagic, sizeof kMagic);
    put_u32(h.data() + 8, static_cast<std::uint32_t>(kChunkBytes));
    std::memcpy(h.data() + 16, id.bytes().data(), 16);
    return h;
}

struct ChunkContext {
    std::array<unsigned char, kNonceBytes> nonce{};
    std::array<unsigned char, kHeaderBytes + 9> aad{};
};

ChunkContext chunk_context(const std::array<unsigned char, kHeaderBytes>& header,
                           std::uint64_t index, bool final) {
    ChunkContext c;
    put_u64(c.nonce.data() + 4, index);
    std::memcpy(c.aad.data(), header.data(), kHeaderBytes);
    put_u64(c.aad.data() + kHeaderBytes, index);
    c.aad[kHeaderBytes + 8] = final ? 1 : 0;
    return c;
}

}  // namespace

ByteSink fd_sink(int fd) {
    return [fd](ByteView data) {
        const unsigned char* p = data.data();
        std::size_t n = data.size();
        while (n > 0) {
            const ssize_t w = ::write(fd, p, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                throw std::system_error(errno, std::generic_category(), "write sealed payload");
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    };
}

ReadExact fd_source(int fd) {
    return [fd](unsigned char* p, std::size_t n) {
        while (n > 0) {
            const ssize_t r = ::read(fd, p, n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                throw std::system_error(errno, std::generic_category(), "read sealed payload");
            if (r == 0)
                throw AuthError("sealed payload shorter than its size");
            p += r;
            n -= static_cast<std::size_t>(r);
        }
    };
}

ReadExact memory_source(ByteView bytes) {
    return [bytes, offset = std::size_t{0}](unsigned char* p, std::size_t n) mutable {
        if (n > bytes.size() - offset)
            throw AuthError("sealed payload shorter than its size");
        std::memcpy(p, bytes.data() + offset, n);
        offset += n;
    };
}

namespace {

void* new_cipher(const config::SecretBytes& key, bool encrypt) {
    if (key.size() != kKeyBytes)
        throw std::invalid_argument("data key must be 32 bytes");
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    const int ok = encrypt
                       ? EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr)
                       : EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr);
    if (ctx == nullptr || ok != 1) {
        EVP_CIPHER_CTX_free(ctx);
        throw std::runtime_error("cannot initialise AES-256-GCM");
    }
    return ctx;
}

}  // namespace

std::uint64_t sealed_size(std::uint64_t clear_size) {
    // Every chunk but the last is full; the last holds 0..kChunkBytes bytes.
    const std::uint64_t chunks = clear_size == 0 ? 1 : (clear_size + kChunkBytes - 1) / kChunkBytes;
    return kHeaderBytes + clear_size + chunks * kTagBytes;
}

SealWriter::SealWriter(ByteSink out, const config::SecretBytes& data_key, const ItemId& id)
    : out_sink_(std::move(out)),
      key_(data_key),
      header_(make_header(id)),
      ctx_(new_cipher(data_key, true)) {
    out_sink_(header_);
}

SealWriter::~SealWriter() {
    EVP_CIPHER_CTX_free(ctx_of(ctx_));
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
}

void SealWriter::seal_chunk(ByteView clear, bool final) {
    const auto c = chunk_context(header_, chunk_index_, final);
    auto* ctx = ctx_of(ctx_);
    out_.resize(clear.size() + kTagBytes);
    int len = 0;
    if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, c.nonce.data()) != 1 ||
        EVP_EncryptUpdate(ctx, nullptr, &len, c.aad.data(), static_cast<int>(c.aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx, out_.data(), &len, clear.data(), static_cast<int>(clear.size())) !=
            1 ||
        EVP_EncryptFinal_ex(ctx, out_.data() + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                            out_.data() + clear.size()) != 1) {
        throw std::runtime_error("AES-256-GCM sealing failed");
    }
    out_sink_(out_);
    ++chunk_index_;
}

void SealWriter::write(ByteView data) {
    if (finished_)
        throw std::logic_error("SealWriter::write after finish");
    hash_.update(data);
    clear_size_ += data.size();
    // A chunk is sealed only once more data follows it, so the last chunk, whatever its
    // size, is the one sealed with the final flag.
    while (!data.empty()) {
        if (buffer_.size() == kChunkBytes) {
            seal_chunk(buffer_, false);
            buffer_.clear();
        }
        const std::size_t take = std::min(data.size(), kChunkBytes - buffer_.size());
        if (buffer_.capacity() < kChunkBytes)
            buffer_.reserve(std::min(kChunkBytes, take * 2));
        buffer_.insert(buffer_.end(), data.begin(),
                       data.begin() + static_cast<std::ptrdiff_t>(take));
        data = data.subspan(take);
    }
}

void SealWriter::finish() {
    if (finished_)
        return;
    seal_chunk(buffer_, true);
    OPENSSL_cleanse(buffer_.data(), buffer_.size());
    buffer_.clear();
    digest_ = hash_.finish();
    finished_ = true;
}

SealReader::SealReader(ReadExact in, std::uint64_t sealed_bytes,
                       const config::SecretBytes& data_key, const ItemId& expected_id)
    : in_(std::move(in)), key_(data_key), header_(make_header(expected_id)) {
    if (sealed_bytes < kHeaderBytes + kTagBytes)
        throw AuthError("sealed payload truncated");
    body_size_ = sealed_bytes - kHeaderBytes;
    ctx_ = new_cipher(data_key, false);
}

SealReader::~SealReader() {
    EVP_CIPHER_CTX_free(ctx_of(ctx_));
}

std::uint64_t SealReader::read(const std::function<void(ByteView)>& sink) {
    std::array<unsigned char, kHeaderBytes> header{};
    in_(header.data(), header.size());
    if (std::memcmp(header.data(), kMagic, sizeof kMagic) != 0)
        throw AuthError("not a sealed payload");
    if (get_u32(header.data() + 8) != kChunkBytes)
        throw AuthError("unsupported chunk size");
    // The expected id, not the stored one, goes into the AAD below; a mismatch here only
    // gives a clearer message than the authentication failure it would cause anyway.
    if (std::memcmp(header.data(), header_.data(), kHeaderBytes) != 0) {
        throw AuthError("sealed payload belongs to another item");
    }
    Bytes in(kSealedChunk);
    Bytes clear(kChunkBytes);
    std::uint64_t left = body_size_;
    std::uint64_t total = 0;
    auto* ctx = ctx_of(ctx_);
    for (std::uint64_t index = 0; left > 0; ++index) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, kSealedChunk));
        if (n < kTagBytes)
            throw AuthError("sealed payload truncated inside a tag");
        in_(in.data(), n);
        left -= n;
        const bool final = left == 0;
        const auto c = chunk_context(header_, index, final);
        const std::size_t clear_n = n - kTagBytes;
        int len = 0;
        if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, c.nonce.data()) != 1 ||
            EVP_DecryptUpdate(ctx, nullptr, &len, c.aad.data(), static_cast<int>(c.aad.size())) !=
                1 ||
            EVP_DecryptUpdate(ctx, clear.data(), &len, in.data(), static_cast<int>(clear_n)) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                                in.data() + clear_n) != 1 ||
            EVP_DecryptFinal_ex(ctx, clear.data() + len, &len) != 1) {
            OPENSSL_cleanse(clear.data(), clear.size());
            throw AuthError("sealed payload chunk " + std::to_string(index) +
                            " does not authenticate");
        }
        sink(ByteView(clear.data(), clear_n));
        total += clear_n;
    }
    OPENSSL_cleanse(clear.data(), clear.size());
    return total;
}

}  // namespace sekisho::queue

#include "daemon/inspect/zip_directory.hpp"

namespace sekisho::inspect {
namespace {

constexpr std::size_t kEndRecordSize = 22;
constexpr std::size_t kMaxCommentSize = 0xFFFF;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::uint32_t kZip64Marker = 0xFFFFFFFF;

std::uint16_t le16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                      static_cast<unsigned char>(b[at + 1]) << 8);
}

std::uint32_t le32(std::string_view b, std::size_t at) {
    return static_cast<std::uint32_t>(le16(b, at)) | static_cast<std::uint32_t>(le16(b, at + 2))
                                                         << 16;
}

// The end-of-central-directory record, searched backwards over the longest comment.
std::optional<std::size_t> find_end_record(std::string_view zip) {
    if (zip.size() < kEndRecordSize)
        return std::nullopt;
    const std::size_t last = zip.size() - kEndRecordSize;
    const std::size_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
    for (std::size_t at = last + 1; at-- > first;) {
        if (zip.substr(at, 4) == "PK\x05\x06" &&
            at + kEndRecordSize + le16(zip, at + 20) == zip.size())
            return at;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::vector<ZipDirEntry>> read_zip_directory(std::string_view zip,
                                                           std::size_t max_entries) {
    const auto end = find_end_record(zip);
    if (!end)
        return std::nullopt;
    const std::size_t disk = le16(zip, *end + 4);
    const std::size_t disk_with_dir = le16(zip, *end + 6);
    const std::size_t count = le16(zip, *end + 10);
    const std::size_t dir_size = le32(zip, *end + 12);
    const std::size_t dir_offset = le32(zip, *end + 16);
    if (disk != 0 || disk_with_dir != 0 || count != le16(zip, *end + 8) || dir_offset > *end ||
        dir_size != *end - dir_offset)
        return std::nullopt;
    std::vector<ZipDirEntry> out;
    std::size_t at = dir_offset;
    for (std::size_t i = 0; i < count && out.size() <= max_entries; ++i) {
        if (at + kCentralHeaderSize > *end || zip.substr(at, 4) != "PK\x01\x02")
            return std::nullopt;
        const std::size_t name_len = le16(zip, at + 28);
        const std::size_t extra_len = le16(zip, at + 30);
        const std::size_t comment_len = le16(zip, at + 32);
        const std::size_t next = at + kCentralHeaderSize + name_len + extra_len + comment_len;
        if (next > *end)
            return std::nullopt;
        ZipDirEntry e;
        e.flags = le16(zip, at + 8);
        e.method = le16(zip, at + 10);
        e.compressed = le32(zip, at + 20);
        e.local_offset = le32(zip, at + 42);
        if (e.compressed == kZip64Marker || le32(zip, at + 24) == kZip64Marker ||
            e.local_offset == kZip64Marker || e.local_offset + e.compressed > dir_offset)
            return std::nullopt;
        e.name = std::string(zip.substr(at + kCentralHeaderSize, name_len));
        out.push_back(std::move(e));
        at = next;
    }
    if (out.size() <= max_entries && at != *end)
        return std::nullopt;
    return out;
}

}  // namespace sekisho::inspect

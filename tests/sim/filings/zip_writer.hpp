#pragma once
// Writing ZIP packages with libarchive, and reading back the central directory of a
// written package so that attack cases can patch single bytes (CRC, sizes) afterwards.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::sim::filings {

struct ZipEntry {
    std::string path{};
    std::string bytes{};
    std::uint64_t repeat = 1;  // `bytes` written this many times: large entries, little memory
    bool directory = false;
    bool store = false;  // stored instead of deflated
};

enum class ZipEncryption { none, zipcrypt, aes256 };

struct ZipOptions {
    ZipEncryption encryption = ZipEncryption::none;
    std::time_t mtime = 0;
};

std::string write_zip(const std::vector<ZipEntry>& entries, const ZipOptions& options);

struct ZipDirEntry {
    std::string name;
    std::size_t central = 0;  // offset of the central directory header
    std::size_t local = 0;    // offset of the local header
    std::size_t data = 0;     // offset of the (compressed) data
    std::uint32_t compressed = 0;
    std::uint32_t uncompressed = 0;
    std::uint16_t flags = 0;
};
// Throws std::runtime_error on anything but a plain (non-ZIP64) archive.
std::vector<ZipDirEntry> read_zip_directory(std::string_view zip);
ZipDirEntry find_zip_entry(const std::vector<ZipDirEntry>& dir, std::string_view name);

std::uint32_t get_le32(std::string_view bytes, std::size_t at);
void put_le32(std::string& bytes, std::size_t at, std::uint32_t value);

}  // namespace sekisho::sim::filings

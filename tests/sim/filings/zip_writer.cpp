#include "tests/sim/filings/zip_writer.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>

namespace sekisho::sim::filings {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

la_ssize_t append(archive*, void* out, const void* buf, size_t n) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
}

void check(archive* a, int rc, const char* what) {
    if (rc != ARCHIVE_OK) {
        const char* why = archive_error_string(a);
        throw std::runtime_error(std::string("zip: ") + what + ": " + (why ? why : "failed"));
    }
}

void set_encryption(archive* a, ZipEncryption encryption) {
    if (encryption == ZipEncryption::none)
        return;
    check(a,
          archive_write_set_options(a, encryption == ZipEncryption::aes256
                                           ? "zip:encryption=aes256"
                                           : "zip:encryption=zipcrypt"),
          "encryption");
    check(a, archive_write_set_passphrase(a, "sekisho-test"), "passphrase");
}

void write_entry(archive* a, const ZipEntry& e, std::time_t mtime) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                   archive_entry_free);
    // Raw bytes as the name: attack cases need non-ASCII, "..", "\" and absolute names
    // exactly as given, and valid names are ASCII anyway.
    archive_entry_copy_pathname(entry.get(), e.path.c_str());
    archive_entry_set_mtime(entry.get(), mtime, 0);
    if (e.directory) {
        archive_entry_set_filetype(entry.get(), AE_IFDIR);
        archive_entry_set_perm(entry.get(), 0755);
    } else {
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.bytes.size() * e.repeat));
    }
    check(a,
          e.store ? archive_write_zip_set_compression_store(a)
                  : archive_write_zip_set_compression_deflate(a),
          "compression");
    check(a, archive_write_header(a, entry.get()), "header");
    for (std::uint64_t i = 0; i < e.repeat && !e.bytes.empty(); ++i) {
        if (archive_write_data(a, e.bytes.data(), e.bytes.size()) !=
            static_cast<la_ssize_t>(e.bytes.size()))
            check(a, ARCHIVE_FATAL, "data");
    }
}

std::uint16_t get_le16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b.at(at)) |
                                      static_cast<unsigned char>(b.at(at + 1)) << 8);
}

std::size_t find_end_record(std::string_view zip) {
    if (zip.size() < 22)
        throw std::runtime_error("zip: too short");
    for (std::size_t at = zip.size() - 22;; --at) {
        if (zip.substr(at, 4) == "PK\x05\x06")
            return at;
        if (at == 0)
            throw std::runtime_error("zip: no end of central directory");
    }
}

}  // namespace

std::string write_zip(const std::vector<ZipEntry>& entries, const ZipOptions& options) {
    ArchivePtr a(archive_write_new(), archive_write_free);
    std::string out;
    check(a.get(), archive_write_set_format_zip(a.get()), "format");
    set_encryption(a.get(), options.encryption);
    // No block padding: the package ends with its end-of-central-directory record.
    check(a.get(), archive_write_set_bytes_per_block(a.get(), 0), "block size");
    check(a.get(), archive_write_set_bytes_in_last_block(a.get(), 1), "last block");
    check(a.get(), archive_write_open(a.get(), &out, nullptr, append, nullptr), "open");
    for (const auto& e : entries)
        write_entry(a.get(), e, options.mtime);
    check(a.get(), archive_write_close(a.get()), "close");
    return out;
}

std::uint32_t get_le32(std::string_view b, std::size_t at) {
    return static_cast<std::uint32_t>(get_le16(b, at)) |
           static_cast<std::uint32_t>(get_le16(b, at + 2)) << 16;
}

void put_le32(std::string& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b.at(at + static_cast<std::size_t>(i)) = static_cast<char>(v >> (8 * i));
}

std::vector<ZipDirEntry> read_zip_directory(std::string_view zip) {
    const std::size_t end = find_end_record(zip);
    const std::size_t count = get_le16(zip, end + 10);
    std::size_t at = get_le32(zip, end + 16);
    std::vector<ZipDirEntry> out;
    for (std::size_t i = 0; i < count; ++i) {
        if (zip.substr(at, 4) != "PK\x01\x02")
            throw std::runtime_error("zip: bad central directory header");
        ZipDirEntry e;
        e.central = at;
        e.flags = get_le16(zip, at + 8);
        e.compressed = get_le32(zip, at + 20);
        e.uncompressed = get_le32(zip, at + 24);
        const std::size_t name_len = get_le16(zip, at + 28);
        const std::size_t extra_len = get_le16(zip, at + 30);
        const std::size_t comment_len = get_le16(zip, at + 32);
        e.local = get_le32(zip, at + 42);
        e.name = std::string(zip.substr(at + 46, name_len));
        e.data = e.local + 30 + get_le16(zip, e.local + 26) + get_le16(zip, e.local + 28);
        out.push_back(e);
        at += 46 + name_len + extra_len + comment_len;
    }
    return out;
}

ZipDirEntry find_zip_entry(const std::vector<ZipDirEntry>& dir, std::string_view name) {
    for (const auto& e : dir) {
        if (e.name == name)
            return e;
    }
    throw std::runtime_error("zip: no entry " + std::string(name));
}

}  // namespace sekisho::sim::filings

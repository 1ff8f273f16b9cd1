#include "adapters/clamd/scan_bundle.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>

namespace sekisho::clamd {
namespace {

constexpr std::uint64_t kBlock = 512;

struct ArchiveFree {
    void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

la_ssize_t append(archive*, void* out, const void* data, std::size_t size) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
    return static_cast<la_ssize_t>(size);
}

void check(archive* a, int status, const char* step) {
    if (status != ARCHIVE_OK) {
        const char* why = archive_error_string(a);
        throw std::runtime_error(std::string("scan bundle: ") + step + ": " +
                                 (why != nullptr ? why : "libarchive error"));
    }
}

void add_member(archive* a, std::size_t index, std::string_view bytes) {
    std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
    if (!e)
        throw std::runtime_error("scan bundle: out of memory");
    archive_entry_set_pathname(e.get(), std::to_string(index).c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0600);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(bytes.size()));
    check(a, archive_write_header(a, e.get()), "header");
    if (!bytes.empty() &&
        archive_write_data(a, bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size()))
        check(a, ARCHIVE_FATAL, "data");
}

std::uint64_t member_size(std::uint64_t bytes) {
    return kBlock + (bytes + kBlock - 1) / kBlock * kBlock;
}

}  // namespace

std::uint64_t bundle_size(std::string_view package, std::span<const Entry> entries) {
    std::uint64_t size = member_size(package.size()) + 2 * kBlock;  // the end-of-archive
    for (const auto& e : entries)
        size += member_size(e.bytes.size());
    return size;
}

std::string make_bundle(std::string_view package, std::span<const Entry> entries) {
    std::string out;
    out.reserve(bundle_size(package, entries));
    {
        std::unique_ptr<archive, ArchiveFree> a(archive_write_new());
        if (!a)
            throw std::runtime_error("scan bundle: out of memory");
        check(a.get(), archive_write_set_format_ustar(a.get()), "format");
        // No padding to a 10 KiB record: the stream ends where the archive does.
        check(a.get(), archive_write_set_bytes_per_block(a.get(), 0), "block size");
        check(a.get(), archive_write_open2(a.get(), &out, nullptr, append, nullptr, nullptr),
              "open");
        add_member(a.get(), 0, package);
        for (std::size_t i = 0; i < entries.size(); ++i)
            add_member(a.get(), i + 1, entries[i].bytes);
        check(a.get(), archive_write_close(a.get()), "close");
    }
    return out;
}

std::string archive_canary() {
    // The 68-byte EICAR test file, in pieces, deflated in a ZIP: its bytes appear nowhere
    // in the stream, so only a clamd that unpacks the bundle and then the ZIP can find it.
    std::string eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
    eicar += "EICAR-STANDARD-ANTIVIRUS-";
    eicar += "TEST-FILE!$H+H*";
    std::string zip;
    {
        std::unique_ptr<archive, ArchiveFree> a(archive_write_new());
        if (!a)
            throw std::runtime_error("scan bundle: out of memory");
        check(a.get(), archive_write_set_format_zip(a.get()), "format");
        check(a.get(), archive_write_zip_set_compression_deflate(a.get()), "deflate");
        check(a.get(), archive_write_set_bytes_per_block(a.get(), 0), "block size");
        check(a.get(), archive_write_open2(a.get(), &zip, nullptr, append, nullptr, nullptr),
              "open");
        add_member(a.get(), 0, eicar);
        check(a.get(), archive_write_close(a.get()), "close");
    }
    const Entry entry{"canary", zip};
    return make_bundle("", std::span<const Entry>(&entry, 1));
}

}  // namespace sekisho::clamd

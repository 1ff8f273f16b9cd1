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

// An archive written into memory, members named by their position.
class MemoryArchive {
  public:
    explicit MemoryArchive(bool deflated_zip) : archive_(archive_write_new()) {
        if (!archive_)
            throw std::runtime_error("scan bundle: out of memory");
        archive* a = archive_.get();
        if (deflated_zip) {
            check(a, archive_write_set_format_zip(a), "format");
            check(a, archive_write_zip_set_compression_deflate(a), "deflate");
        } else {
            check(a, archive_write_set_format_ustar(a), "format");
        }
        // No padding to a 10 KiB record: the stream ends where the archive does.
        check(a, archive_write_set_bytes_per_block(a, 0), "block size");
        check(a, archive_write_open2(a, &out_, nullptr, append, nullptr, nullptr), "open");
    }

    void reserve(std::uint64_t size) { out_.reserve(size); }

    void add(std::size_t index, std::string_view bytes) {
        std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
        if (!e)
            throw std::runtime_error("scan bundle: out of memory");
        archive_entry_set_pathname(e.get(), std::to_string(index).c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0600);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(bytes.size()));
        check(archive_.get(), archive_write_header(archive_.get(), e.get()), "header");
        if (!bytes.empty() && archive_write_data(archive_.get(), bytes.data(), bytes.size()) !=
                                  static_cast<la_ssize_t>(bytes.size()))
            check(archive_.get(), ARCHIVE_FATAL, "data");
    }

    std::string finish() {
        check(archive_.get(), archive_write_close(archive_.get()), "close");
        archive_.reset();
        return std::move(out_);
    }

  private:
    std::string out_;  // declared first: the archive writes into it until it is freed
    std::unique_ptr<archive, ArchiveFree> archive_;
};

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
    MemoryArchive tar(false);
    tar.reserve(bundle_size(package, entries));
    tar.add(0, package);
    for (std::size_t i = 0; i < entries.size(); ++i)
        tar.add(i + 1, entries[i].bytes);
    return tar.finish();
}

std::string archive_canary() {
    // The 68-byte EICAR test file, in pieces, deflated in a ZIP: its bytes appear nowhere
    // in the stream, so only a clamd that unpacks the bundle and then the ZIP can find it.
    std::string eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
    eicar += "EICAR-STANDARD-ANTIVIRUS-";
    eicar += "TEST-FILE!$H+H*";
    MemoryArchive zip(true);
    zip.add(0, eicar);
    const std::string zipped = zip.finish();
    const Entry entry{"canary", zipped};
    return make_bundle("", std::span<const Entry>(&entry, 1));
}

}  // namespace sekisho::clamd

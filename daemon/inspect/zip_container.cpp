#include "daemon/inspect/zip_container.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <memory>
#include <set>

#include "daemon/inspect/entry_names.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/zip_directory.hpp"

namespace sekisho::inspect {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

constexpr std::uint16_t kMethodStored = 0;
constexpr std::uint16_t kMethodDeflate = 8;
constexpr std::uint16_t kFlagEncrypted = 0x0001;
constexpr std::uint16_t kFlagStrongEncryption = 0x0040;
constexpr std::string_view kCsvName = "KPFD0006.CSV";

// The file name for a verdict: only a name that passed the name rules is shown.
std::string display_name(std::string_view path) {
    if (entry_name_fault(path))
        return "package";
    const std::size_t slash = path.rfind('/', path.size() - 2);
    return file_label(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Checks judged on the central directory alone, before anything is inflated.
bool directory_acceptable(const std::vector<ZipDirEntry>& dir, const Limits& limits,
                          Verdict& verdict) {
    if (dir.size() > static_cast<std::size_t>(limits.max_entries)) {
        verdict.add(code::zip_limit, "package", "more entries than the limit");
        return false;
    }
    const bool encrypted = std::any_of(dir.begin(), dir.end(), [](const ZipDirEntry& e) {
        return (e.flags & (kFlagEncrypted | kFlagStrongEncryption)) != 0;
    });
    if (encrypted) {
        verdict.add(code::zip_encrypted, "package", "encrypted entry");
        return false;
    }
    bool acceptable = true;
    std::vector<std::string> names;
    for (const auto& e : dir) {
        if (const auto fault = entry_name_fault(e.name)) {
            verdict.add(code::zip_path, "package", std::string(*fault));
            acceptable = false;
        }
        names.push_back(e.name);
    }
    if (case_duplicate(names)) {
        verdict.add(code::zip_path, "package", "entry names equal ignoring case");
        acceptable = false;
    }
    if (!acceptable)
        return false;
    for (const auto& e : dir) {
        if (e.method != kMethodStored && e.method != kMethodDeflate) {
            verdict.add(code::zip_corrupt, display_name(e.name),
                        "compression other than stored or deflate");
            acceptable = false;
        }
    }
    return acceptable;
}

// The seekable reader follows the central directory, as the unzip tools on the core side
// do; the streaming reader would follow local headers alone.
ArchivePtr open_zip(std::string_view zip) {
    ArchivePtr a(archive_read_new(), archive_read_free);
    if (!a || archive_read_support_format_zip_seekable(a.get()) != ARCHIVE_OK ||
        archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
        return ArchivePtr(nullptr, archive_read_free);
    return a;
}

// Counts every inflated byte against the limits; header sizes are never consulted. The
// compressed size for the ratio is the central directory's, which libarchive compares with
// the bytes it actually consumed (a mismatch fails the read).
class Inflater {
  public:
    Inflater(const Limits& limits, Verdict& verdict) : limits_(limits), verdict_(verdict) {}

    bool inflate(archive* a, const ZipDirEntry& d, std::string& out) {
        const bool csv = d.name.ends_with(std::string("/").append(kCsvName));
        std::array<char, 64 * 1024> buf{};
        for (;;) {
            const la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
            if (n == 0)
                return true;
            if (n < 0) {
                verdict_.add(code::zip_corrupt, display_name(d.name),
                             "entry data unreadable: CRC or size mismatch, or truncated");
                return false;
            }
            total_ += static_cast<std::uint64_t>(n);
            out.append(buf.data(), static_cast<std::size_t>(n));
            if (const char* rule = broken_limit(csv, d.compressed, out.size())) {
                verdict_.add(code::zip_limit, display_name(d.name), rule);
                return false;
            }
        }
    }

  private:
    const char* broken_limit(bool csv, std::uint64_t compressed, std::uint64_t size) const {
        if (total_ > limits_.max_uncompressed)
            return "total uncompressed size above the limit";
        if (csv && size > limits_.max_csv)
            return "KPFD0006.CSV above its size limit";
        if (size >
            std::max<std::uint64_t>(compressed, 1) * static_cast<std::uint64_t>(limits_.max_ratio))
            return "compression ratio above the limit";
        return nullptr;
    }

    const Limits& limits_;
    Verdict& verdict_;
    std::uint64_t total_ = 0;
};

// Regular entries inflated, full paths kept; nullopt after a reason was added.
std::optional<std::vector<Entry>> inflate_entries(std::string_view zip,
                                                  const std::vector<ZipDirEntry>& dir,
                                                  const Limits& limits, Verdict& verdict) {
    ArchivePtr a = open_zip(zip);
    if (!a) {
        verdict.add(code::zip_corrupt, "package", "not a readable ZIP archive");
        return std::nullopt;
    }
    Inflater inflater(limits, verdict);
    std::vector<Entry> files;
    std::multiset<std::string> unseen;
    for (const auto& d : dir)
        unseen.insert(d.name);
    archive_entry* entry = nullptr;
    bool special = false;
    int rc = ARCHIVE_OK;
    // A header warning is a local header that disagrees with the central directory in a
    // size: the data checks decide. Names must agree exactly.
    while ((rc = archive_read_next_header(a.get(), &entry)) != ARCHIVE_EOF && rc >= ARCHIVE_WARN) {
        const char* raw = archive_entry_pathname(entry);
        const std::string path = raw == nullptr ? "" : raw;
        const auto seen = unseen.find(path);
        if (seen == unseen.end()) {
            verdict.add(code::zip_corrupt, "package",
                        "local headers and central directory name different entries");
            return std::nullopt;
        }
        unseen.erase(seen);
        const auto type = archive_entry_filetype(entry);
        if (archive_entry_hardlink(entry) != nullptr || (type != AE_IFREG && type != AE_IFDIR) ||
            (type == AE_IFDIR) != path.ends_with('/')) {
            verdict.add(code::zip_path, display_name(path), "link or special entry");
            special = true;
            continue;
        }
        if (type == AE_IFDIR)
            continue;
        const auto d = std::find_if(dir.begin(), dir.end(),
                                    [&](const ZipDirEntry& e) { return e.name == path; });
        Entry file{path, {}};
        if (!inflater.inflate(a.get(), *d, file.bytes))
            return std::nullopt;
        files.push_back(std::move(file));
    }
    if (rc != ARCHIVE_EOF || !unseen.empty()) {
        verdict.add(code::zip_corrupt, "package", "entry header unreadable");
        return std::nullopt;
    }
    if (special)
        return std::nullopt;
    return files;
}

std::string_view top_folder(std::string_view path) {
    return path.substr(0, path.find('/'));
}

// One folder holding every file directly; files in deeper folders are left out.
std::optional<Package> package_from(const std::vector<ZipDirEntry>& dir, std::vector<Entry> files,
                                    Verdict& verdict) {
    std::set<std::string_view> folders;
    for (const auto& d : dir) {
        folders.insert(top_folder(d.name));
        if (d.name.find('/') == std::string::npos) {
            verdict.add(code::zip_structure, display_name(d.name),
                        "file outside the procedure folder");
            return std::nullopt;
        }
    }
    if (folders.size() != 1 || !valid_folder_name(*folders.begin())) {
        verdict.add(code::zip_structure, "package",
                    folders.size() == 1 ? "folder name is not <procedure_id>(<n>)"
                                        : "not exactly one top-level folder");
        return std::nullopt;
    }
    Package p;
    p.folder = std::string(*folders.begin());
    p.procedure_id = p.folder.substr(0, p.folder.find('('));
    for (const auto& d : dir) {
        const std::string_view rest = std::string_view(d.name).substr(p.folder.size() + 1);
        if (rest.find('/') != std::string_view::npos)
            verdict.add(code::zip_structure, "package", "nested folder");
    }
    for (auto& f : files) {
        const std::string rest = f.name.substr(p.folder.size() + 1);
        if (rest.find('/') == std::string::npos)
            p.entries.push_back({rest, std::move(f.bytes)});
    }
    return p;
}

}  // namespace

std::optional<Package> read_container(std::string_view zip, const Limits& limits,
                                      Verdict& verdict) {
    if (zip.size() > limits.max_package) {
        verdict.add(code::zip_limit, "package", "package size above the limit");
        return std::nullopt;
    }
    const auto dir = read_zip_directory(zip, static_cast<std::size_t>(limits.max_entries));
    if (!dir) {
        verdict.add(code::zip_corrupt, "package", "no readable ZIP central directory");
        return std::nullopt;
    }
    if (!directory_acceptable(*dir, limits, verdict))
        return std::nullopt;
    auto files = inflate_entries(zip, *dir, limits, verdict);
    if (!files)
        return std::nullopt;
    return package_from(*dir, std::move(*files), verdict);
}

}  // namespace sekisho::inspect

#pragma once
// The ZIP central directory, read independently of libarchive: it gives each entry's
// compressed size (for the ratio limit) and lets the container check that the central
// directory names the same entries as the local headers libarchive reads. Every offset is
// bounds-checked; anything unexpected (ZIP64, multi-disk, overlap) makes it unreadable.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::inspect {

struct ZipDirEntry {
    std::string name;
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint64_t compressed = 0;
    std::uint64_t local_offset = 0;
};

// nullopt when `zip` has no readable, plain central directory. At most `max_entries` + 1
// entries are read: the caller reports the limit.
std::optional<std::vector<ZipDirEntry>> read_zip_directory(std::string_view zip,
                                                           std::size_t max_entries);

}  // namespace sekisho::inspect

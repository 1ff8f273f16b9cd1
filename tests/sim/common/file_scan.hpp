#pragma once
// The files a simulator serves: every <name><extension> in one directory, with an optional
// sidecar <name>.json. Tests drop files in while the simulator runs, so the directory is
// scanned again on request; each file is read and hashed once per (modification time, size).

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/common/codec.hpp"

namespace sekisho::sim {

struct ScannedFile {
    std::filesystem::path path;
    TimePoint mtime;
    std::uint64_t size = 0;
    std::string sha256_hex;
    boost::json::object facts;  // what the scanner's `summarize` found in the bytes
};

class FileScanner {
  public:
    // Takes the facts to keep about a file's bytes (hashed along with them).
    using Summarize = std::function<boost::json::object(std::string_view bytes)>;

    // `command` names the simulator in warnings ("mynaportal").
    FileScanner(std::filesystem::path dir, std::string extension, std::string command,
                Summarize summarize = {});

    // The regular files with the extension, ordered by path. Files that cannot be read
    // (or vanish meanwhile) are skipped with a warning on stderr.
    std::vector<ScannedFile> scan();
    // The JSON object in the sidecar of `file`: empty when there is none, nullopt (with a
    // warning) when it is not a JSON object.
    std::optional<boost::json::object> sidecar(const std::filesystem::path& file) const;
    // "sekisho-sim <command>: skipping FILE: why" on stderr.
    void warn(const std::filesystem::path& file, std::string_view why) const;

  private:
    struct Known {
        std::filesystem::file_time_type mtime;
        ScannedFile file;
    };
    const ScannedFile* load(const std::filesystem::path& file);

    std::filesystem::path dir_;
    std::string extension_;
    std::string command_;
    Summarize summarize_;
    std::map<std::filesystem::path, Known> known_;
};

// The bytes of `file` as they are now; nullopt when it cannot be read.
std::optional<std::string> read_bytes(const std::filesystem::path& file);

}  // namespace sekisho::sim

#include "tests/sim/common/file_scan.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

namespace sekisho::sim {

namespace fs = std::filesystem;
namespace json = boost::json;

std::optional<std::string> read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad())
        return std::nullopt;
    return s.str();
}

FileScanner::FileScanner(fs::path dir, std::string extension, std::string command,
                         Summarize summarize)
    : dir_(std::move(dir)),
      extension_(std::move(extension)),
      command_(std::move(command)),
      summarize_(std::move(summarize)) {}

void FileScanner::warn(const fs::path& file, std::string_view why) const {
    std::cerr << "sekisho-sim " << command_ << ": skipping " << file.string() << ": " << why
              << "\n";
}

std::vector<ScannedFile> FileScanner::scan() {
    std::vector<fs::path> paths;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        if (entry.path().extension() == extension_ && entry.is_regular_file())
            paths.push_back(entry.path());
    }
    if (ec)
        std::cerr << "sekisho-sim " << command_ << ": cannot read " << dir_.string() << ": "
                  << ec.message() << "\n";
    std::sort(paths.begin(), paths.end());
    std::vector<ScannedFile> out;
    for (const auto& path : paths) {
        try {
            if (const auto* file = load(path))
                out.push_back(*file);
        } catch (const fs::filesystem_error& e) {
            warn(path, e.what());  // removed between listing the directory and reading it
        }
    }
    return out;
}

const ScannedFile* FileScanner::load(const fs::path& path) {
    const auto mtime = fs::last_write_time(path);
    const auto size = fs::file_size(path);
    auto it = known_.find(path);
    if (it != known_.end() && it->second.mtime == mtime && it->second.file.size == size)
        return &it->second.file;
    const auto bytes = read_bytes(path);
    if (!bytes) {
        warn(path, "cannot read");
        return nullptr;
    }
    ScannedFile f;
    f.path = path;
    f.mtime =
        std::chrono::time_point_cast<TimePoint::duration>(std::chrono::file_clock::to_sys(mtime));
    f.size = bytes->size();
    f.sha256_hex = hex(sha256(*bytes));
    if (summarize_)
        f.facts = summarize_(*bytes);
    return &(known_[path] = Known{mtime, std::move(f)}).file;
}

std::optional<json::object> FileScanner::sidecar(const fs::path& file) const {
    fs::path path = file;
    path.replace_extension(".json");
    if (!fs::exists(path))
        return json::object{};
    const auto text = read_bytes(path);
    boost::system::error_code ec;
    json::value v = text ? json::parse(*text, ec) : json::value();
    if (!text || ec || !v.is_object()) {
        warn(path, "not a JSON object");
        return std::nullopt;
    }
    return std::move(v.as_object());
}

}  // namespace sekisho::sim

#include "daemon/inspect/options.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/settings.hpp"

namespace sekisho::inspect {
namespace {

// Trust anchors and CRLs are public material, but a huge or unreadable file is a
// configuration error worth naming.
constexpr std::uintmax_t kMaxFile = 16u * 1024 * 1024;

std::string read_small_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        throw std::runtime_error(path.string() + ": " + ec.message());
    if (size > kMaxFile)
        throw std::runtime_error(path.string() + ": larger than 16 MiB");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (!in)
        throw std::runtime_error(path.string() + ": cannot be read");
    return buffer.str();
}

}  // namespace

Options options_from_settings(const config::InspectSettings& settings, AuthMethod auth,
                              std::time_t now) {
    Options o;
    o.limits.max_package = settings.max_package;
    o.limits.max_uncompressed = settings.max_uncompressed;
    o.limits.max_csv = settings.max_csv;
    o.limits.max_entries = settings.max_entries;
    o.limits.max_ratio = settings.max_ratio;
    o.auth_method = auth;
    o.mynumber_allowed_forms = settings.mynumber_allowed_forms;
    for (const auto& p : settings.trust_anchors)
        o.trust_anchors.push_back(read_small_file(p));
    for (const auto& p : settings.crl_files)
        o.crls.push_back(read_small_file(p));
    o.now = now;
    return o;
}

}  // namespace sekisho::inspect

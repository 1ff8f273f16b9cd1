#pragma once
// What the inspector needs besides the package bytes. Everything is plain data so that it
// can travel to the sandboxed worker: trust anchors and CRLs as file contents, not paths.

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace sekisho::config {
struct InspectSettings;
}

namespace sekisho::inspect {

enum class AuthMethod { certificate, gbizid };

struct Limits {
    std::uint64_t max_package = 10ull * 1024 * 1024;
    std::uint64_t max_uncompressed = 64ull * 1024 * 1024;
    std::uint64_t max_csv = 4'500'000;
    std::int64_t max_entries = 32;
    std::int64_t max_ratio = 200;
};

struct Options {
    Limits limits{};
    AuthMethod auth_method = AuthMethod::certificate;
    std::vector<std::string> mynumber_allowed_forms{"2200700", "2201700"};
    std::vector<std::string> trust_anchors;  // PEM file contents, one or more certificates each
    std::vector<std::string> crls;           // PEM or DER file contents
    std::time_t now = 0;                     // inspection time for certificate validity
};

// Reads the configured trust anchor and CRL files (throws with the path on error).
Options options_from_settings(const config::InspectSettings& settings, AuthMethod auth,
                              std::time_t now);

}  // namespace sekisho::inspect

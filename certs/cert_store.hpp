#pragma once
// The rotated TLS client certificates, by use, in <daemon.state_dir>/certs. The configured
// files (mynaportal.client_cert/client_key, chukan.client_cert/client_key) are generation
// 0; a rotation installs generation 1, 2, ... and keeps the one before for a rollback.
// Layout and crash safety: certs/README.md.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "certs/rotation_check.hpp"
#include "config/secret.hpp"

namespace sekisho::certs {

inline constexpr std::array<std::string_view, 2> kClientUses{"mynaportal-client", "chukan-client"};
bool known_use(std::string_view use);

// Each stored file (certificate with chain, key) is limited to this size.
inline constexpr std::size_t kMaxStoredPem = 64 * 1024;

struct ClientCertificate {
    std::string cert_pem;  // leaf followed by the chain, ready for SSL_CTX_use_certificate_chain
    config::SecretBytes key_pem;
    std::int64_t generation = 0;    // >0: installed by a rotation
    std::int64_t installed_at = 0;  // Unix seconds
};

struct StoreEntry {  // what `certs list` shows for a rotated use
    std::string use;
    std::int64_t generation = 0;    // 0: the configured files (after a rollback)
    std::int64_t installed_at = 0;  // of that generation; 0 for the configured files
    std::optional<std::int64_t> previous_generation;  // 0 means "the configured files"
    std::int64_t changed_at = 0;  // Unix seconds of the last install or rollback
};

// Writers (install, rollback) of one use exclude each other through a lock file, also
// across processes; readers need no lock (every change is one rename).
class CertStore {
  public:
    // dir = <daemon.state_dir>/certs; created 0700 if missing (parents must exist). Throws
    // std::runtime_error when it is not a directory of ours that only we can access.
    explicit CertStore(std::filesystem::path dir);

    const std::filesystem::path& dir() const { return dir_; }

    // The rotated certificate in force for `use`, or nullopt when the configured files are
    // in force (never rotated, or rolled back to them).
    std::optional<ClientCertificate> current(std::string_view use) const;

    // Installs a checked candidate as a new generation and makes it current; the one in
    // force before (a generation, or the configured files = generation 0) becomes
    // "previous". Atomic: a crash at any point leaves either the old or the new one in
    // force, never a mix, never a half-written file in force. Returns the new generation.
    std::int64_t install(std::string_view use, const Candidate& checked);

    // Makes the previous one current again (and the current one previous, so a second
    // rollback undoes the first). Throws std::runtime_error("no previous certificate to
    // roll back to for USE") when there is none. Returns the generation now in force
    // (0: the configured files).
    std::int64_t rollback(std::string_view use);

    // nullopt when `use` was never rotated.
    std::optional<StoreEntry> entry(std::string_view use) const;

  private:
    std::filesystem::path use_dir(std::string_view use) const;

    std::filesystem::path dir_;
};

}  // namespace sekisho::certs

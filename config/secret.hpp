#pragma once
// Secrets (keys, passwords, TLS private keys) never live in the TOML file. The file names
// them: either a systemd credential name, resolved under $CREDENTIALS_DIRECTORY
// (LoadCredential= / LoadCredentialEncrypted=), or an absolute path to a file that only
// the service user can read (mode 0600 or 0400, owned by that user).

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::config {

// Bytes that are wiped (OPENSSL_cleanse) when the object dies or is moved from.
class SecretBytes {
  public:
    SecretBytes() = default;
    explicit SecretBytes(std::vector<unsigned char> bytes) : bytes_(std::move(bytes)) {}
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    ~SecretBytes();

    const unsigned char* data() const { return bytes_.data(); }
    std::size_t size() const { return bytes_.size(); }
    bool empty() const { return bytes_.empty(); }
    std::string_view view() const {
        return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
    }
    void wipe();

  private:
    std::vector<unsigned char> bytes_;
};

class SecretRef {
  public:
    SecretRef() = default;
    explicit SecretRef(std::string text) : text_(std::move(text)) {}

    const std::string& text() const { return text_; }
    bool is_credential_name() const { return !text_.empty() && text_.front() != '/'; }
    // Why the reference is malformed, or nullopt when it is well-formed.
    std::optional<std::string> syntax_error() const;

  private:
    std::string text_;
};

struct SecretRules {
    uid_t owner = 0;             // required owner of a path secret
    std::size_t max_size = 0;    // larger files are refused
    std::size_t exact_size = 0;  // when non-zero, exactly this many bytes (raw keys)
    bool strip_newline = false;  // one trailing "\n" is not part of the secret (passwords)
};

// Where the secret would be read from; nullopt for a credential name when
// $CREDENTIALS_DIRECTORY is not set.
std::optional<std::filesystem::path> secret_location(const SecretRef& ref);

// Reads and checks a secret; throws std::runtime_error naming the reference (never the
// secret) on any problem.
SecretBytes load_secret(const SecretRef& ref, const SecretRules& rules);

}  // namespace sekisho::config

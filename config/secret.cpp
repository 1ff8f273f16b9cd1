#include "config/secret.hpp"
#include "common/read_fully.hpp"
#include "common/unique_fd.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace sekisho::config {
namespace {

[[noreturn]] void fail(const SecretRef& ref, const std::string& why) {
    throw std::runtime_error("secret " + ref.text() + ": " + why);
}

void check_file_mode(const SecretRef& ref, const struct stat& st, const SecretRules& rules) {
    if (!S_ISREG(st.st_mode))
        fail(ref, "not a regular file");
    if (ref.is_credential_name()) {
        // systemd owns the credential directory; still refuse what others can read.
        if ((st.st_mode & S_IROTH) != 0)
            fail(ref, "credential file is readable by others");
        return;
    }
    const mode_t perms = st.st_mode & 07777;
    if (perms != 0600 && perms != 0400) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(perms));
        fail(ref, std::string("mode is ") + buf + ", must be 0600 or 0400");
    }
    if (st.st_uid != rules.owner) {
        fail(ref, "owned by uid " + std::to_string(st.st_uid) + ", must be owned by uid " +
                      std::to_string(rules.owner) + " (the service user)");
    }
}

std::vector<unsigned char> read_bounded(const SecretRef& ref, int fd, std::size_t max_size) {
    std::vector<unsigned char> buf(max_size + 1);
    const auto [got, error] = read_fully(fd, buf);
    if (error != 0) {
        OPENSSL_cleanse(buf.data(), buf.size());
        fail(ref, std::string("cannot read: ") + std::strerror(error));
    }
    if (got > max_size) {
        OPENSSL_cleanse(buf.data(), buf.size());
        fail(ref, "larger than " + std::to_string(max_size) + " bytes");
    }
    std::vector<unsigned char> out(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got));
    OPENSSL_cleanse(buf.data(), buf.size());
    return out;
}

}  // namespace

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
    other.bytes_.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        wipe();
        bytes_ = std::move(other.bytes_);
        other.bytes_.clear();
    }
    return *this;
}

SecretBytes::~SecretBytes() {
    wipe();
}

void SecretBytes::wipe() {
    if (!bytes_.empty())
        OPENSSL_cleanse(bytes_.data(), bytes_.size());
    bytes_.clear();
}

std::optional<std::string> SecretRef::syntax_error() const {
    if (text_.empty())
        return "empty secret reference";
    if (text_.front() == '/') {
        if (text_.find("/../") != std::string::npos || text_.ends_with("/..")) {
            return "path must not contain \"..\"";
        }
        return std::nullopt;
    }
    if (text_.size() > 255)
        return "credential name longer than 255 characters";
    for (char c : text_) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) {
            return "neither an absolute path nor a credential name ([A-Za-z0-9_.-])";
        }
    }
    if (text_ == "." || text_ == "..")
        return "not a credential name";
    return std::nullopt;
}

std::optional<std::filesystem::path> secret_location(const SecretRef& ref) {
    if (!ref.is_credential_name())
        return std::filesystem::path(ref.text());
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0')
        return std::nullopt;
    return std::filesystem::path(dir) / ref.text();
}

SecretBytes load_secret(const SecretRef& ref, const SecretRules& rules) {
    if (auto err = ref.syntax_error())
        fail(ref, *err);
    const auto location = secret_location(ref);
    if (!location) {
        fail(ref,
             "is a credential name but $CREDENTIALS_DIRECTORY is not set (run under "
             "systemd with LoadCredential=/LoadCredentialEncrypted=, or give an "
             "absolute path)");
    }
    UniqueFd fd(::open(location->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0)
        fail(ref, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        fail(ref, std::string("cannot stat: ") + std::strerror(errno));
    check_file_mode(ref, st, rules);
    auto bytes = read_bounded(ref, fd.get(), rules.max_size);
    if (rules.strip_newline && !bytes.empty() && bytes.back() == '\n')
        bytes.pop_back();
    SecretBytes secret(std::move(bytes));
    if (rules.exact_size != 0 && secret.size() != rules.exact_size) {
        fail(ref, "holds " + std::to_string(secret.size()) + " bytes, must hold exactly " +
                      std::to_string(rules.exact_size) + " raw bytes (head -c " +
                      std::to_string(rules.exact_size) + " /dev/urandom)");
    }
    if (secret.empty())
        fail(ref, "is empty");
    return secret;
}

}  // namespace sekisho::config

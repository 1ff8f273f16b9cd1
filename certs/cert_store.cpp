#include "certs/cert_store.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include "certs/store_files.hpp"
#include "certs/store_state.hpp"
#include "common/atomic_file.hpp"

namespace sekisho::certs {
namespace {

namespace fs = std::filesystem;
using detail::StoreState;

constexpr std::string_view kCertFile = "cert.pem";
constexpr std::string_view kKeyFile = "key.pem";
constexpr std::string_view kStateFile = "state";
constexpr std::string_view kLockFile = "lock";
// A reader racing two installs can find its generation removed; it reads the state again.
constexpr int kReadAttempts = 3;

std::string gen_name(std::int64_t generation) {
    return "gen-" + std::to_string(generation);
}

std::int64_t now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())
        .time_since_epoch()
        .count();
}

// The use comes from a control socket request: quoted only when it is plain text.
std::string shown_use(std::string_view use) {
    const bool plain = use.size() <= 64 && std::all_of(use.begin(), use.end(), [](char c) {
                           return c > 0x20 && c < 0x7f && c != '"';
                       });
    return plain ? "\"" + std::string(use) + "\"" : std::string("(unprintable)");
}

void check_use(std::string_view use) {
    if (!known_use(use))
        throw std::invalid_argument("unknown certificate use " + shown_use(use) +
                                    " (known: mynaportal-client, chukan-client)");
}

std::optional<StoreState> read_state(const fs::path& use_dir) {
    const auto path = use_dir / kStateFile;
    const auto bytes = detail::read_limited(path, detail::kMaxStateFile);
    if (!bytes)
        return std::nullopt;
    return detail::parse_state(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), path);
}

// The chain file SSL_CTX_use_certificate_chain_file expects: the leaf, then the chain.
std::string stored_cert_text(const Candidate& c) {
    std::string text = c.cert_pem;
    if (!text.empty() && text.back() != '\n' && !c.chain_pem.empty())
        text += '\n';
    text += c.chain_pem;
    if (text.size() > kMaxStoredPem)
        throw std::invalid_argument("certificate store: certificate and chain exceed 64 KiB");
    return text;
}

// The generation is assembled under a temporary name and renamed into place, so gen-N is
// always complete; it is not in force before the state file names it.
void write_generation(const fs::path& use_dir, std::int64_t generation, const Candidate& c) {
    const std::string cert_text = stored_cert_text(c);
    if (c.key_pem.size() > kMaxStoredPem)
        throw std::invalid_argument("certificate store: private key exceeds 64 KiB");
    const auto tmp = use_dir / ("." + gen_name(generation) + ".tmp");
    const auto final_dir = use_dir / gen_name(generation);
    // Leftovers of a crashed install: above every generation the state names, so unused.
    fs::remove_all(tmp);
    fs::remove_all(final_dir);
    detail::make_private_dir(tmp);
    write_file_atomically(tmp / kCertFile, cert_text, 0600);
    write_file_atomically(tmp / kKeyFile, c.key_pem.view(), 0600);
    fs::rename(tmp, final_dir);
    fsync_directory(use_dir);
}

std::optional<std::int64_t> generation_of(const std::string& name) {
    if (!name.starts_with("gen-"))
        return std::nullopt;
    std::int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), n);
    if (ec != std::errc() || ptr != name.data() + name.size())
        return std::nullopt;
    return n;
}

bool is_leftover(const std::string& name, const StoreState& s) {
    if (const auto g = generation_of(name))
        return *g != s.current && *g != s.previous.value_or(0);
    return (name.starts_with(".gen-") && name.ends_with(".tmp")) || name.starts_with(".state.tmp.");
}

// Best effort, so errors are ignored: the install has succeeded once the state is written,
// what is left here is never in force, and the next install tries again.
void remove_leftovers(const fs::path& use_dir, const StoreState& s) {
    std::error_code ec;
    for (fs::directory_iterator it(use_dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code ignored;
        if (is_leftover(it->path().filename().string(), s))
            fs::remove_all(it->path(), ignored);
    }
    try {
        fsync_directory(use_dir);
    } catch (const std::system_error&) {
    }
}

// Both files of a generation, or nullopt when one is missing.
std::optional<ClientCertificate> load_generation(const fs::path& use_dir, std::int64_t generation,
                                                 std::int64_t installed_at) {
    const auto dir = use_dir / gen_name(generation);
    const auto cert = detail::read_limited(dir / kCertFile, kMaxStoredPem);
    if (!cert)
        return std::nullopt;
    auto key = detail::read_limited(dir / kKeyFile, kMaxStoredPem);
    if (!key)
        return std::nullopt;
    ClientCertificate out;
    out.key_pem = config::SecretBytes(std::move(*key));
    out.cert_pem.assign(cert->begin(), cert->end());
    out.generation = generation;
    out.installed_at = installed_at;
    return out;
}

bool generation_complete(const fs::path& use_dir, std::int64_t generation) {
    const auto dir = use_dir / gen_name(generation);
    std::error_code ec;
    return fs::is_regular_file(fs::symlink_status(dir / kCertFile, ec)) &&
           fs::is_regular_file(fs::symlink_status(dir / kKeyFile, ec));
}

StoreState swapped(const StoreState& s) {
    StoreState out;
    out.current = *s.previous;
    out.current_installed_at = s.previous_installed_at;
    out.previous = s.current;
    out.previous_installed_at = s.current_installed_at;
    out.changed_at = now_seconds();
    return out;
}

}  // namespace

bool known_use(std::string_view use) {
    return std::find(kClientUses.begin(), kClientUses.end(), use) != kClientUses.end();
}

CertStore::CertStore(std::filesystem::path dir) : dir_(std::move(dir)) {
    detail::make_private_dir(dir_);
}

std::filesystem::path CertStore::use_dir(std::string_view use) const {
    check_use(use);
    return dir_ / std::string(use);
}

std::optional<ClientCertificate> CertStore::current(std::string_view use) const {
    const auto udir = use_dir(use);
    std::int64_t missing = 0;
    for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
        const auto state = read_state(udir);
        if (!state || state->current == 0)
            return std::nullopt;
        if (auto cert = load_generation(udir, state->current, state->current_installed_at))
            return cert;
        missing = state->current;
    }
    throw std::runtime_error("certificate store: " + (udir / gen_name(missing)).string() +
                             " is named in force by " + (udir / kStateFile).string() +
                             " but its certificate or key is missing");
}

std::int64_t CertStore::install(std::string_view use, const Candidate& checked) {
    const auto udir = use_dir(use);
    if (checked.cert_pem.empty() || checked.key_pem.empty())
        throw std::invalid_argument("certificate store: a candidate needs a certificate and a key");
    detail::make_private_dir(udir);
    const detail::FileLock lock(udir / kLockFile);
    const StoreState before = read_state(udir).value_or(StoreState{});
    const std::int64_t generation = before.next_generation();
    write_generation(udir, generation, checked);
    StoreState after;
    after.current = generation;
    after.current_installed_at = now_seconds();
    after.previous = before.current;
    after.previous_installed_at = before.current_installed_at;
    after.changed_at = after.current_installed_at;
    write_file_atomically(udir / kStateFile, detail::format_state(after), 0600);
    remove_leftovers(udir, after);
    return generation;
}

std::int64_t CertStore::rollback(std::string_view use) {
    const auto udir = use_dir(use);
    const std::string none = "no previous certificate to roll back to for " + std::string(use);
    if (!fs::is_directory(fs::symlink_status(udir)))
        throw std::runtime_error(none);
    const detail::FileLock lock(udir / kLockFile);
    const auto state = read_state(udir);
    if (!state || !state->previous)
        throw std::runtime_error(none);
    if (*state->previous > 0 && !generation_complete(udir, *state->previous))
        throw std::runtime_error(
            "certificate store: " + (udir / gen_name(*state->previous)).string() +
            " (the previous certificate) is incomplete; not rolling back");
    const StoreState after = swapped(*state);
    write_file_atomically(udir / kStateFile, detail::format_state(after), 0600);
    return after.current;
}

std::optional<StoreEntry> CertStore::entry(std::string_view use) const {
    const auto state = read_state(use_dir(use));
    if (!state)
        return std::nullopt;
    return StoreEntry{std::string(use), state->current, state->current_installed_at,
                      state->previous, state->changed_at};
}

}  // namespace sekisho::certs

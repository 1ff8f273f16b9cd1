#include "daemon/ctl/change_password.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <termios.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "adapters/http/connection.hpp"
#include "adapters/http/endpoint.hpp"
#include "adapters/http/tls_client_context.hpp"
#include "adapters/mynaportal/api_client.hpp"
#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "config/load.hpp"
#include "config/validate.hpp"

namespace sekisho::ctl {
namespace {

namespace fs = std::filesystem;
using boost::asio::awaitable;

constexpr std::size_t kMaxPemBytes = 64 * 1024;
constexpr std::size_t kMaxKeyBytes = 64 * 1024;
// Where daemon/systemd_dropin.cpp has systemd load a credential NAME from
// (LoadCredentialEncrypted=NAME:/etc/credstore.encrypted/sekisho.NAME).
constexpr const char* kCredstorePrefix = "/etc/credstore.encrypted/sekisho.";

// Exit 1, with the message as it is.
class Refused : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Exit 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

std::string errno_text() {
    return std::strerror(errno);
}

// ---- reading the new password -------------------------------------------------------

// Echo off on a terminal while a password is typed; the settings come back on every way
// out, including the signals that end the process in the middle of typing.
volatile sig_atomic_t g_tty_fd = -1;
termios g_saved_tty{};
constexpr std::array<int, 4> kTtySignals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void restore_tty_and_reraise(int signo) {
    if (g_tty_fd >= 0)
        ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_tty);
    ::raise(signo);  // SA_RESETHAND: the default action now, which ends the process
}

class EchoOff {
  public:
    explicit EchoOff(int fd) : fd_(fd) {
        if (::tcgetattr(fd, &g_saved_tty) != 0)
            throw std::runtime_error("cannot read the terminal settings: " + errno_text());
        termios quiet = g_saved_tty;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;  // the Enter key still moves to the next line
        struct sigaction sa {};
        sa.sa_handler = restore_tty_and_reraise;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        for (std::size_t i = 0; i < kTtySignals.size(); ++i)
            ::sigaction(kTtySignals[i], &sa, &previous_[i]);
        g_tty_fd = fd;
        if (::tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
            const std::string why = errno_text();
            restore_handlers();
            throw std::runtime_error("cannot turn the terminal echo off: " + why);
        }
    }
    ~EchoOff() {
        // TCSAFLUSH also drops whatever is left of a refused line, so that it never reaches
        // the shell.
        ::tcsetattr(fd_, TCSAFLUSH, &g_saved_tty);
        restore_handlers();
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

  private:
    void restore_handlers() {
        g_tty_fd = -1;
        for (std::size_t i = 0; i < kTtySignals.size(); ++i)
            ::sigaction(kTtySignals[i], &previous_[i], nullptr);
    }

    int fd_;
    std::array<struct sigaction, kTtySignals.size()> previous_{};
};

// A line buffer that never reallocates (so no copy of a password is left in freed memory)
// and is wiped when it dies.
class LineBuffer {
  public:
    LineBuffer() { bytes_.reserve(kMaxPasswordBytes); }
    ~LineBuffer() { OPENSSL_cleanse(bytes_.data(), bytes_.capacity()); }
    LineBuffer(const LineBuffer&) = delete;
    LineBuffer& operator=(const LineBuffer&) = delete;

    enum class End { newline, eof, too_long, error };

    // Reads one line, without its "\n". A line longer than kMaxPasswordBytes is read to its
    // end and dropped.
    End read_line(int fd) {
        bytes_.clear();
        bool too_long = false;
        for (;;) {
            unsigned char c = 0;
            const ssize_t n = ::read(fd, &c, 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return End::error;
            if (n == 0)
                return too_long ? End::too_long : End::eof;
            if (c == '\n')
                return too_long ? End::too_long : End::newline;
            if (bytes_.size() == kMaxPasswordBytes)
                too_long = true;
            if (!too_long)
                bytes_.push_back(c);
            c = 0;
        }
    }

    const std::vector<unsigned char>& bytes() const { return bytes_; }
    config::SecretBytes take() {
        std::vector<unsigned char> out;
        out.reserve(bytes_.size());
        out.assign(bytes_.begin(), bytes_.end());
        OPENSSL_cleanse(bytes_.data(), bytes_.capacity());
        bytes_.clear();
        return config::SecretBytes(std::move(out));
    }

  private:
    std::vector<unsigned char> bytes_;
};

std::string refusal_of(LineBuffer::End end, const LineBuffer& line, bool tty) {
    switch (end) {
        case LineBuffer::End::error:
            return "cannot read the new password from standard input: " + errno_text();
        case LineBuffer::End::too_long:
            return "the new password is longer than " + std::to_string(kMaxPasswordBytes) +
                   " bytes";
        case LineBuffer::End::eof:
            if (line.bytes().empty()) {
                return tty ? "no new password given"
                           : "no new password on standard input (give it as one line)";
            }
            break;
        case LineBuffer::End::newline:
            break;
    }
    if (line.bytes().empty())
        return "the new password is empty";
    for (unsigned char c : line.bytes()) {
        if (c < 0x20 || c == 0x7f)
            return "the new password contains a control character";
    }
    return {};
}

// ---- configuration and secrets --------------------------------------------------------

// A path secret must belong to the user running the command. The administrator runs it
// as daemon.user or as root; root also takes the files of daemon.user.
uid_t owner_for(const config::SecretRef& ref, std::optional<uid_t> service_uid) {
    const uid_t me = ::geteuid();
    if (me != 0 || !service_uid || ref.is_credential_name())
        return me;
    struct stat st {};
    if (::lstat(ref.text().c_str(), &st) == 0 && st.st_uid == *service_uid)
        return *service_uid;
    return me;
}

config::SecretBytes load_password(const config::SecretRef& ref, std::optional<uid_t> service_uid) {
    return config::load_secret(ref, {.owner = owner_for(ref, service_uid),
                                     .max_size = kMaxPasswordBytes,
                                     .strip_newline = true});
}

std::string read_pem(const fs::path& file) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec)
        throw Refused("mynaportal.client_cert: cannot read " + file.string() + ": " + ec.message());
    if (size > kMaxPemBytes)
        throw Refused("mynaportal.client_cert: " + file.string() + " is too large");
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in)
        throw Refused("mynaportal.client_cert: cannot read " + file.string());
    return text.str();
}

std::string systemd_run_hint(const config::MynaportalSettings& m) {
    std::string hint = "systemd-run --pipe --wait --quiet";
    for (const auto* ref : {&m.client_key, &m.password_credential}) {
        if (ref->is_credential_name()) {
            hint +=
                " -p LoadCredentialEncrypted=" + ref->text() + ":" + kCredstorePrefix + ref->text();
        }
    }
    return hint + " sekishoctl -c FILE mynaportal change-password";
}

config::SecretBytes copy_of(const config::SecretBytes& s) {
    return config::SecretBytes(std::vector<unsigned char>(s.data(), s.data() + s.size()));
}

bool same(const config::SecretBytes& a, const config::SecretBytes& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---- storing the new password in a path credential -----------------------------------

// The new content, written and synced under a temporary name next to the credential
// before Mynaportal is asked, so that a directory the command cannot write stops it while
// nothing has changed yet; renamed over the credential once Mynaportal has taken the new
// password, removed otherwise. Same owner, group and mode as the old file.
class StagedPassword {
  public:
    StagedPassword(fs::path target, const config::SecretBytes& password)
        : target_(std::move(target)) {
        struct stat old {};
        if (::lstat(target_.c_str(), &old) != 0)
            throw Refused("cannot stat " + target_.string() + ": " + errno_text());
        uid_ = old.st_uid;
        gid_ = old.st_gid;
        mode_ = (old.st_mode & 07777) == 0400 ? 0400 : 0600;  // load_secret allows only these
        const fs::path dir = target_.parent_path();
        std::string name = (dir / ("." + target_.filename().string() + ".new.XXXXXX")).string();
        const int fd = ::mkostemp(name.data(), O_CLOEXEC);
        if (fd < 0) {
            throw Refused("cannot create a temporary file in " + dir.string() + " (" +
                          errno_text() + "); run the command as root or as the owner of " +
                          dir.string() + ". Nothing was changed.");
        }
        temp_ = name;
        try {
            std::vector<unsigned char> bytes;
            bytes.reserve(password.size() + 1);
            bytes.assign(password.data(), password.data() + password.size());
            bytes.push_back('\n');
            const config::SecretBytes content(std::move(bytes));
            write_all(fd, content);
            struct stat now {};
            if (::fstat(fd, &now) != 0)
                fail("cannot stat");
            if ((now.st_uid != uid_ || now.st_gid != gid_) && ::fchown(fd, uid_, gid_) != 0)
                fail("cannot give the owner of " + target_.string() + " to");
            if (::fchmod(fd, mode_) != 0)
                fail("cannot chmod");
            if (::fsync(fd) != 0)
                fail("cannot fsync");
        } catch (...) {
            ::close(fd);
            ::unlink(temp_.c_str());
            throw;
        }
        if (::close(fd) != 0) {
            ::unlink(temp_.c_str());
            throw Refused("cannot close " + temp_.string() + ": " + errno_text());
        }
    }
    ~StagedPassword() {
        if (!temp_.empty())
            ::unlink(temp_.c_str());
    }
    StagedPassword(const StagedPassword&) = delete;
    StagedPassword& operator=(const StagedPassword&) = delete;

    // Throws std::system_error (naming paths only) when the rename or the directory sync
    // fails.
    void commit() {
        if (::rename(temp_.c_str(), target_.c_str()) != 0) {
            throw std::system_error(errno, std::generic_category(),
                                    "cannot rename " + temp_.string() + " to " + target_.string());
        }
        temp_.clear();
        fsync_directory(target_.parent_path());
    }

    mode_t mode() const { return mode_; }
    uid_t uid() const { return uid_; }

  private:
    void write_all(int fd, const config::SecretBytes& content) {
        std::size_t done = 0;
        while (done < content.size()) {
            const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                fail("cannot write");
            done += static_cast<std::size_t>(n);
        }
    }
    [[noreturn]] void fail(const std::string& what) {
        throw Refused(what + " " + temp_.string() + ": " + errno_text() + ". Nothing was changed.");
    }

    fs::path target_;
    fs::path temp_;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    mode_t mode_ = 0600;
};

// ---- talking to Mynaportal ------------------------------------------------------------

struct Progress {
    bool expired = false;  // login answered 403 password-expired
    bool sent = false;     // the change request went out: a lost answer leaves it open
    bool changed = false;  // Mynaportal answered 204
    std::string logout_problem;
};

bool is_problem(const mynaportal::ApiError& e, unsigned status, std::string_view type) {
    return e.problem().status == status && e.problem().type == type;
}

// Coroutine parameters are references to objects of the caller, which runs the io_context
// to completion before they die; every co_await gets named values only (g++ 12 destroys
// some temporaries of a co_await expression twice).
awaitable<void> change_at_service(mynaportal::ApiClient& api, const std::string& user_id,
                                  const config::SecretBytes& current,
                                  const config::SecretBytes& next, Progress& p) {
    co_await api.connect();
    std::string user = user_id;
    config::SecretBytes password = copy_of(current);
    try {
        co_await api.login(std::move(user), std::move(password));
    } catch (const mynaportal::ApiError& e) {
        if (!is_problem(e, 403, "password-expired"))
            throw;
        p.expired = true;
    }
    p.sent = true;
    if (p.expired) {
        // The spec's change needs a Bearer token, which an expired password cannot get.
        // This relies on the service accepting the unauthenticated form with user_id (the
        // project's simulator does, as an extension).
        std::string user_again = user_id;
        co_await api.change_expired_password(std::move(user_again), current, next);
    } else {
        co_await api.change_password(current, next);
    }
    p.changed = true;
    if (!p.expired) {
        try {
            co_await api.logout();
        } catch (const std::exception& e) {
            p.logout_problem = e.what();
        }
    }
    try {
        co_await api.close();
    } catch (const std::exception&) {
        // The change is done; a failed close_notify changes nothing.
    }
}

// After a change whose answer was lost: does the new password log in? true: yes; false:
// Mynaportal refused it (bad-credentials), so the change did not happen.
awaitable<void> new_password_works(mynaportal::ApiClient& api, const std::string& user_id,
                                   const config::SecretBytes& next, std::optional<bool>& works) {
    co_await api.connect();
    std::string user = user_id;
    config::SecretBytes password = copy_of(next);
    bool refused = false;
    bool accepted = false;
    try {
        co_await api.login(std::move(user), std::move(password));
        accepted = true;
    } catch (const mynaportal::ApiError& e) {
        refused = is_problem(e, 401, "bad-credentials");
    }
    if (accepted) {
        works = true;
        try {
            co_await api.logout();
        } catch (const std::exception&) {
        }
    } else if (refused) {
        works = false;
    }
    try {
        co_await api.close();
    } catch (const std::exception&) {
    }
}

struct Service {
    http::Endpoint endpoint;
    std::shared_ptr<http::TlsClientContext> tls;
    http::Timeouts timeouts;
    std::string user_id;
};

std::exception_ptr run_change(const Service& s, const config::SecretBytes& current,
                              const config::SecretBytes& next, Progress& progress) {
    // The io_context outlives the client, whose connection uses it.
    boost::asio::io_context io;
    mynaportal::ApiClient api(s.endpoint, s.tls, s.timeouts, mynaportal::ApiLimits{});
    std::exception_ptr error;
    boost::asio::co_spawn(io, change_at_service(api, s.user_id, current, next, progress),
                          [&error](std::exception_ptr e) { error = e; });
    io.run();
    return error;
}

std::optional<bool> check_new_password(const Service& s, const config::SecretBytes& next) {
    boost::asio::io_context io;
    mynaportal::ApiClient api(s.endpoint, s.tls, s.timeouts, mynaportal::ApiLimits{});
    std::optional<bool> works;
    boost::asio::co_spawn(io, new_password_works(api, s.user_id, next, works),
                          [](std::exception_ptr) {});
    io.run();
    return works;
}

// Why the change did not happen, for a failure before or at the change request.
std::string failure_text(std::exception_ptr error, const Progress& p, const Service& s,
                         const std::string& current_source) {
    const std::string nothing = " Nothing was changed.";
    try {
        std::rethrow_exception(error);
    } catch (const mynaportal::ApiError& e) {
        if (is_problem(e, 401, "bad-credentials")) {
            return "Mynaportal refused the current password of user " + s.user_id + " (" +
                   e.what() + "): " + current_source +
                   " does not hold the password Mynaportal has." + nothing +
                   " (If an earlier change-password ended without an answer from Mynaportal, "
                   "the new password may already be in effect.)";
        }
        if (p.expired && p.sent) {
            return "the password of user " + s.user_id +
                   " has expired (login answered 403 password-expired) and Mynaportal did not "
                   "take the change without a session (" +
                   e.what() +
                   "). This command relies on the service accepting POST /v1/auth/password "
                   "with user_id and without a Bearer token, an extension the project's "
                   "simulator offers but spec/mynaportal-api.md does not define." +
                   nothing +
                   " Change the password at Mynaportal by other means, then store it in the "
                   "password credential and reload sekishod.";
        }
        if (e.retryable()) {
            return "Mynaportal cannot serve the request now (" + std::string(e.what()) + ")." +
                   nothing + " Try again later.";
        }
        if (p.sent)
            return "Mynaportal refused the new password (" + std::string(e.what()) + ")." + nothing;
        return "Mynaportal refused the login of user " + s.user_id + " (" + e.what() + ")." +
               nothing;
    } catch (const http::TransportError& e) {
        return "cannot talk to Mynaportal at " + s.endpoint.authority() + " (" +
               std::string(to_string(e.kind())) + "): " + e.what() + "." + nothing;
    } catch (const mynaportal::ProtocolError& e) {
        return "Mynaportal's answer does not follow the protocol: " + std::string(e.what()) + "." +
               nothing;
    } catch (const std::exception& e) {
        return std::string(e.what()) + "." + nothing;
    }
}

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode));
    return buf;
}

// ---- the command ---------------------------------------------------------------------

int change(const ChangePasswordArgs& args, std::ostream& out, std::ostream& err) {
    const auto loaded = config::load_settings(args.config_file, config::Program::control);
    if (!loaded.ok()) {
        for (const auto& p : loaded.errors)
            err << p.str() << "\n";
        throw Refused("cannot use the configuration " + args.config_file.string() +
                      " (see above). Nothing was changed.");
    }
    const config::Settings& settings = *loaded.settings;
    const config::MynaportalSettings& m = settings.mynaportal;

    std::vector<std::string> missing;
    if (m.base_url.empty())
        missing.emplace_back("mynaportal.base_url");
    if (m.ca_file.empty())
        missing.emplace_back("mynaportal.ca_file");
    if (m.client_cert.empty())
        missing.emplace_back("mynaportal.client_cert");
    if (m.user_id.empty())
        missing.emplace_back("mynaportal.user_id");
    if (!missing.empty()) {
        std::string keys;
        for (const auto& k : missing)
            keys += (keys.empty() ? "" : ", ") + k;
        throw Refused(keys + (missing.size() == 1 ? " is" : " are") + " not set in " +
                      args.config_file.string() + ". Nothing was changed.");
    }
    Service service;
    try {
        service.endpoint = http::Endpoint::parse(m.base_url);
    } catch (const std::invalid_argument& e) {
        throw Refused(std::string("mynaportal.base_url: ") + e.what());
    }
    const auto t = std::chrono::duration_cast<std::chrono::milliseconds>(m.timeout);
    service.timeouts = {t, t, t};
    service.user_id = m.user_id;
    const auto service_uid = config::lookup_user(settings.daemon.user);

    // Where the current password is.
    const config::SecretRef& credential = m.password_credential;
    if (const auto bad = credential.syntax_error())
        throw Refused("mynaportal.password_credential: " + *bad);
    const bool path_credential = !credential.is_credential_name();
    if (path_credential && args.current_password_file) {
        throw UsageError(
            "--current-password-file is for a password_credential that is a systemd "
            "credential name; here the current password is read from " +
            credential.text());
    }
    config::SecretRef current_ref = credential;
    std::string current_source = credential.text();
    if (args.current_password_file) {
        const fs::path file = fs::absolute(*args.current_password_file);
        current_ref = config::SecretRef(file.string());
        current_source = file.string() + " (--current-password-file)";
        if (const auto bad = current_ref.syntax_error())
            throw UsageError("--current-password-file: " + *bad);
    } else if (!path_credential) {
        const auto location = config::secret_location(credential);
        if (!location) {
            throw Refused(
                "mynaportal.password_credential is the systemd credential name \"" +
                credential.text() +
                "\", and the current password is needed to log in, but $CREDENTIALS_DIRECTORY "
                "is not set and no --current-password-file FILE (mode 0600) was given. Give "
                "one of them, e.g. run: " +
                systemd_run_hint(m) + ". Nothing was changed.");
        }
        current_source =
            "the credential \"" + credential.text() + "\" (" + location->string() + ")";
    }
    config::SecretBytes current;
    try {
        current = load_password(current_ref, service_uid);
    } catch (const std::runtime_error& e) {
        throw Refused("cannot read the current password: " + std::string(e.what()) +
                      ". Nothing was changed.");
    }

    // The TLS client, checked before anything is asked or sent.
    config::SecretBytes key;
    try {
        key = config::load_secret(m.client_key, {.owner = owner_for(m.client_key, service_uid),
                                                 .max_size = kMaxKeyBytes});
    } catch (const std::runtime_error& e) {
        std::string hint;
        if (m.client_key.is_credential_name() && !config::secret_location(m.client_key))
            hint = " (outside the service, e.g.: " + systemd_run_hint(m) + ")";
        throw Refused("cannot read mynaportal.client_key: " + std::string(e.what()) + hint +
                      ". Nothing was changed.");
    }
    try {
        const http::ClientTls tls{m.ca_file, m.pin_sha256, read_pem(m.client_cert), std::move(key)};
        service.tls = http::TlsClientContext::create(tls);
    } catch (const Refused&) {
        throw;
    } catch (const std::runtime_error& e) {
        throw Refused("mynaportal TLS settings: " + std::string(e.what()) +
                      ". Nothing was changed.");
    }

    NewPassword entered = read_new_password(args.input_fd, err);
    if (!entered.refusal.empty())
        throw Refused(entered.refusal + ". Nothing was changed.");
    const config::SecretBytes next = std::move(entered.password);
    if (same(next, current))
        throw Refused("the new password is the same as the current one. Nothing was changed.");

    std::optional<StagedPassword> staged;
    if (path_credential)
        staged.emplace(fs::path(credential.text()), next);

    Progress progress;
    const std::exception_ptr error = run_change(service, current, next, progress);
    if (error && progress.sent && !progress.changed) {
        bool lost = false;
        try {
            std::rethrow_exception(error);
        } catch (const http::TransportError&) {
            lost = true;
        } catch (...) {
        }
        if (lost) {
            // The request went out and the answer did not come back: ask Mynaportal.
            const auto works = check_new_password(service, next);
            if (works && *works) {
                progress.changed = true;
                err << "sekishoctl: the answer to the change was lost, but the new password "
                       "logs in: the change was made\n";
            } else if (!works) {
                throw Refused(
                    "the answer to the change request was lost and Mynaportal could not be "
                    "asked whether it was made: the password at Mynaportal is either the old "
                    "or the new one. " +
                    current_source +
                    " still holds the old one. Run the command again later: if it says the "
                    "current password is refused, the new one is in effect; store it in the "
                    "password credential then.");
            }
        }
    }
    if (!progress.changed) {
        throw Refused(failure_text(error, progress, service, current_source));
    }

    out << "Mynaportal password changed for user " << service.user_id << ".\n";
    if (progress.expired) {
        out << "The old password had expired (login answered 403 password-expired), so the "
               "change was made without a session: POST /v1/auth/password with user_id and "
               "no Bearer token. spec/mynaportal-api.md does not define this form; it worked "
               "because this service accepts it (the project's simulator does).\n";
    }
    if (!progress.logout_problem.empty()) {
        out << "note: logout failed (" << progress.logout_problem
            << "); the session ends when its token expires.\n";
    }
    if (path_credential) {
        try {
            staged->commit();
        } catch (const std::exception& e) {
            throw Refused(
                "THE PASSWORD WAS CHANGED AT MYNAPORTAL, but storing it failed: " +
                std::string(e.what()) + ". " + credential.text() +
                " still holds the OLD password: write the new one there yourself (one line, "
                "mode 0600, owned by the service user), then run: systemctl reload sekishod");
        }
        out << "Stored the new password in " << credential.text() << " (mode "
            << octal(staged->mode()) << ", owner uid " << staged->uid() << ").\n"
            << "Now run: systemctl reload sekishod\n"
            << "(sekishod reads the password at every poll cycle; after an expired password "
               "it polls again only after the reload.)\n";
        return 0;
    }
    const std::string name = credential.text();
    out << "The password credential \"" << name
        << "\" is a systemd encrypted credential, which sekishoctl does not write. Until it "
           "holds the new password sekishod logs in with the old one and fails. Store it and "
           "restart sekishod now (systemd loads credentials when the service starts; a "
           "reload does not load them again):\n"
        << "  systemd-ask-password -n \"New Mynaportal password:\" | systemd-creds encrypt "
           "--name="
        << name << " - " << kCredstorePrefix << name << "\n"
        << "  systemctl restart sekishod\n";
    if (args.current_password_file) {
        out << "Then remove " << fs::absolute(*args.current_password_file).string()
            << ": it holds the old password.\n";
    }
    return 0;
}

}  // namespace

NewPassword read_new_password(int fd, std::ostream& prompt) {
    NewPassword result;
    const bool tty = ::isatty(fd) == 1;
    LineBuffer first;
    LineBuffer second;
    try {
        std::optional<EchoOff> quiet;
        if (tty) {
            quiet.emplace(fd);
            prompt << "New Mynaportal password: " << std::flush;
        }
        result.refusal = refusal_of(first.read_line(fd), first, tty);
        if (result.refusal.empty() && tty) {
            prompt << "Again: " << std::flush;
            const auto end = second.read_line(fd);
            if (end == LineBuffer::End::error) {
                result.refusal = refusal_of(end, second, tty);
            } else if (end == LineBuffer::End::too_long || first.bytes() != second.bytes()) {
                result.refusal = "the two entries differ";
            }
        }
    } catch (const std::runtime_error& e) {
        result.refusal = e.what();
    }
    if (result.refusal.empty())
        result.password = first.take();
    return result;
}

int change_mynaportal_password(const ChangePasswordArgs& args, std::ostream& out,
                               std::ostream& err) {
    try {
        return change(args, out, err);
    } catch (const UsageError& e) {
        err << "sekishoctl: mynaportal change-password: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        err << "sekishoctl: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace sekisho::ctl

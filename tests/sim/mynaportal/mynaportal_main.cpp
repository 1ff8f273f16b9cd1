// sekisho-sim mynaportal: the Mynaportal filing download API (spec/mynaportal-api.md)
// over mutual TLS, with recording and fault injection for tests.

#include <boost/program_options.hpp>

#include "tests/sim/common/file_scan.hpp"
#include "tests/sim/common/server_main.hpp"
#include "tests/sim/mynaportal/mynaportal_service.hpp"

namespace {

namespace po = boost::program_options;
using namespace sekisho::sim;
using namespace sekisho::sim::mynaportal;

constexpr std::string_view kAbout =
    R"(Usage: sekisho-sim mynaportal --listen ADDR:PORT --tls-cert FILE --tls-key FILE
                              --client-ca FILE --filings DIR [OPTIONS]

Simulates the Mynaportal filing download API of spec/mynaportal-api.md over HTTP/1.1
and mutual TLS (TLS 1.2/1.3; a client without a certificate verifying against
--client-ca fails the handshake). Serves every <name>.zip in --filings; an optional
sidecar <name>.json gives its listing fields (arrive_id, procedure_id, form_codes,
office, submitted_at, auth_method; other keys are ignored, missing ones get defaults,
arrive_id defaults to <name>). The directory is read again for each list request and
for an unknown arrive_id. State (password, tokens, downloaded marks, notices) lives in
memory only.

Password expiry: once --password-expires-at has passed, login answers 403
password-expired. POST /v1/auth/password then still works (a) with a Bearer token
issued before the expiry, which stays valid until its own end, or (b) as a simulator
extension, without Authorization when the body names the user:
{"user_id", "current_password", "new_password"}. Either way the new password expires
one year after the change. A client that follows the spec changes the password before
it expires and never needs (b).

Faults: --F-every N makes every Nth request eligible for fault F get it; 0 disables.
Eligible: reset, error500, unavailable, throttle: every request (past the User-Agent/
X-Request-Id check); expire-tokens: requests with a valid Bearer token; truncate,
wrong-digest: package downloads. A request is not counted for F, and never faulted by
it, when it is F's first eligible request after F fired (so a retry succeeds), when the
previous request (any connection) got a fault, or when a fault earlier in the order
above already fired on it. Faulted requests change no state. Even with N = 1 every
other attempt succeeds.

Record (--record): one JSON line per request, flushed at once: t, method, target,
status (0 when reset), request_id, user_agent, client_cert_sha256, arrive_id when a
filing is concerned, notice {kind, reason_code, notice_id} for an accepted notice,
fault when one was injected.

Limits: request headers 16 KiB (431), bodies 64 KiB (413), idle connections closed
after 30 s. Problems are application/problem+json with type
https://sekisho.example/problems/<name>: bad-request, bad-credentials, token-expired,
password-expired, not-found, method-not-allowed, notice-conflict, personal-number (a
notice message with a run of exactly 12 digits), unsupported-media-type (JSON bodies
need Content-Type: application/json), payload-too-large, headers-too-large,
too-many-requests, internal-error, service-unavailable.

Exit status: 0 after SIGTERM/SIGINT or --help, 1 when it cannot start, 2 on usage errors.

Options)";

struct Args {
    ServerArgs server;
    std::string filings, user_id, password_file, password_expires_at;
    std::uint64_t token_lifetime = 3600;
};

po::options_description describe(Args& a) {
    po::options_description o{std::string(kAbout)};
    auto add = o.add_options();
    add_listen_options(add, a.server);
    add("filings", po::value(&a.filings)->required()->value_name("DIR"),
        "directory of <name>.zip (+ <name>.json)");
    add_record_options(add, a.server);
    add("user-id",
        po::value(&a.user_id)->default_value(std::string(kDefaultUserId))->value_name("ID"),
        "the user_id that may log in");
    add("password-file", po::value(&a.password_file)->value_name("FILE"),
        "FILE holding the password (one trailing newline ignored); default "
        "\"sekisho-sim-password\"");
    add("password-expires-at", po::value(&a.password_expires_at)->value_name("RFC3339"),
        "RFC 3339 time the password expires; default one year after start");
    add("token-lifetime", po::value(&a.token_lifetime)->default_value(3600)->value_name("SECONDS"),
        "access token lifetime, seconds");
    add_fault_options(add, a.server, "package downloads", true);
    return o;
}

std::string read_password(const std::string& file) {
    auto password = read_bytes(file);
    if (!password)
        throw std::runtime_error("cannot read --password-file " + file);
    if (!password->empty() && password->back() == '\n')
        password->pop_back();
    return *password;
}

Settings settings_from(const Args& a) {
    Settings s;
    s.filings_dir = a.filings;
    s.user_id = a.user_id;
    if (!a.password_file.empty())
        s.password = read_password(a.password_file);
    if (!a.password_expires_at.empty()) {
        s.password_expires_at = parse_rfc3339(a.password_expires_at);
        if (!s.password_expires_at)
            throw std::invalid_argument("--password-expires-at must be an RFC 3339 time");
    }
    s.token_lifetime = std::chrono::seconds(a.token_lifetime);
    s.retry_after = std::chrono::seconds(a.server.retry_after);
    s.faults = a.server.faults;
    return s;
}

int run(const Args& a) {
    if (!std::filesystem::is_directory(a.filings))
        throw std::runtime_error("--filings " + a.filings + " is not a directory");
    Service service(settings_from(a));
    return serve(a.server, service, {.server_name = "sekisho-sim mynaportal"});
}

}  // namespace

int mynaportal_sim_main(int argc, char** argv) {
    Args args;
    const auto options = describe(args);
    return server_command(argc, argv, "mynaportal", options, [&] { return run(args); });
}

// sekisho-sim mynaportal: the Mynaportal filing download API (spec/mynaportal-api.md)
// over mutual TLS, with recording and fault injection for tests.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "tests/sim/mynaportal/recorder.hpp"
#include "tests/sim/mynaportal/tls_server.hpp"

namespace {

namespace po = boost::program_options;
namespace asio = boost::asio;
using namespace sekisho::sim::mynaportal;
using tcp = asio::ip::tcp;

constexpr int kUsageError = 2;
constexpr int kFailure = 1;

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
    std::string listen, tls_cert, tls_key, client_ca, filings, record, ready_file;
    std::string user_id, password_file, password_expires_at;
    std::uint64_t token_lifetime = 3600, slow_ms = 0, retry_after = 1;
    FaultSettings faults;
};

void add_fault_options(po::options_description_easy_init& add, FaultSettings& f) {
    auto every = [&](Fault fault) {
        return po::value(&f.every[static_cast<std::size_t>(fault)])->value_name("N");
    };
    add("truncate-every", every(Fault::truncate),
        "package downloads: announce the full Content-Length, send half the body, close");
    add("wrong-digest-every", every(Fault::wrong_digest),
        "package downloads: Repr-Digest of other bytes");
    add("reset-every", every(Fault::reset), "reset the connection (SO_LINGER 0), no answer");
    add("error500-every", every(Fault::error500), "answer 500");
    add("throttle-every", every(Fault::throttle), "answer 429 with Retry-After");
    add("unavailable-every", every(Fault::unavailable), "answer 503 with Retry-After");
    add("expire-tokens-every", every(Fault::expire_tokens),
        "answer 401 token-expired to a valid token and forget the token");
}

po::options_description describe(Args& a) {
    po::options_description o{std::string(kAbout)};
    auto add = o.add_options();
    add("help,h", "show this help");
    add("listen", po::value(&a.listen)->required()->value_name("ADDR:PORT"),
        "ADDR:PORT to listen on (port 0: any free)");
    add("tls-cert", po::value(&a.tls_cert)->required()->value_name("FILE"),
        "server certificate chain (PEM)");
    add("tls-key", po::value(&a.tls_key)->required()->value_name("FILE"),
        "server private key (PEM)");
    add("client-ca", po::value(&a.client_ca)->required()->value_name("FILE"),
        "CAs client certificates must chain to");
    add("filings", po::value(&a.filings)->required()->value_name("DIR"),
        "directory of <name>.zip (+ <name>.json)");
    add("record", po::value(&a.record)->value_name("FILE"),
        "append a JSON line per request to FILE");
    add("ready-file", po::value(&a.ready_file)->value_name("FILE"),
        "write the bound port to FILE once listening");
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
    add("slow-ms", po::value(&a.slow_ms)->default_value(0)->value_name("N"),
        "delay every response by N ms");
    add_fault_options(add, a.faults);
    add("retry-after", po::value(&a.retry_after)->default_value(1)->value_name("S"),
        "Retry-After seconds of 429 and 503");
    return o;
}

// "127.0.0.1:0", "[::1]:8443", "localhost:8443".
tcp::endpoint resolve(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("--listen must be ADDR:PORT");
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(host, listen.substr(colon + 1),
                                          tcp::resolver::passive | tcp::resolver::numeric_service);
    return results.begin()->endpoint();
}

std::string read_password(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read --password-file " + file);
    std::ostringstream s;
    s << in.rdbuf();
    std::string password = s.str();
    if (!password.empty() && password.back() == '\n')
        password.pop_back();
    return password;
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
    s.retry_after = std::chrono::seconds(a.retry_after);
    s.faults = a.faults;
    return s;
}

int run(const Args& a) {
    if (!std::filesystem::is_directory(a.filings))
        throw std::runtime_error("--filings " + a.filings + " is not a directory");
    Service service(settings_from(a));
    std::optional<Recorder> recorder;
    if (!a.record.empty())
        recorder.emplace(a.record);
    asio::io_context io;
    auto tls = make_server_tls(a.tls_cert, a.tls_key, a.client_ca);
    ServerOptions options{.listen = resolve(a.listen),
                          .slow = std::chrono::milliseconds(a.slow_ms)};
    TlsServer server(io, tls, service, recorder ? &*recorder : nullptr, options);
    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code&, int) {
        server.stop();
        io.stop();
    });
    server.start();
    if (!a.ready_file.empty())
        sekisho::write_file_atomically(a.ready_file, std::to_string(server.port()) + "\n", 0644);
    sekisho::log::info("listening", {{"port", server.port()}});
    io.run();
    return 0;
}

}  // namespace

int mynaportal_sim_main(int argc, char** argv) {
    sekisho::log::init("sekisho-sim");
    Args args;
    const auto options = describe(args);
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, options), vm);
        if (vm.count("help") != 0) {
            std::cout << options << "\n";
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "sekisho-sim mynaportal: " << e.what() << "\n"
                  << "Try 'sekisho-sim mynaportal --help'.\n";
        return kUsageError;
    }
    try {
        return run(args);
    } catch (const std::invalid_argument& e) {
        std::cerr << "sekisho-sim mynaportal: " << e.what() << "\n";
        return kUsageError;
    } catch (const std::exception& e) {
        std::cerr << "sekisho-sim mynaportal: " << e.what() << "\n";
        return kFailure;
    }
}

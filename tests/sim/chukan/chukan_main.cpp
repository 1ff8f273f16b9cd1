// sekisho-sim chukan: the 中間サーバー file exchange (spec/chukan-api.md) over mutual TLS,
// with recording and fault injection for tests.

#include <boost/program_options.hpp>

#include "tests/sim/chukan/chukan_service.hpp"
#include "tests/sim/common/server_main.hpp"

namespace {

namespace po = boost::program_options;
using namespace sekisho::sim;
using namespace sekisho::sim::chukan;

constexpr std::size_t kMiB = 1024 * 1024;

constexpr std::string_view kAbout =
    R"(Usage: sekisho-sim chukan --listen ADDR:PORT --tls-cert FILE --tls-key FILE
                          --client-ca FILE --results DIR [OPTIONS]

Simulates the 中間サーバー file exchange of spec/chukan-api.md over HTTP/1.1 and mutual
TLS (TLS 1.2/1.3; a client without a certificate verifying against --client-ca fails the
handshake). Every request must carry User-Agent: sekisho/<version> and X-Request-Id:
<uuid> (else 400); X-Request-Id is echoed. State (acks, requests) lives in memory only.

Results: every <result_id>.csv in --results (result_id of [0-9A-Za-z-]{1,64}; other
files are ignored). Its kind is the one its first line H,<kind>,... names, its records
the lines between that header and the trailer T,... . An optional sidecar
<result_id>.json {"kind": "...", "records": N} overrides either (values as given, so a
test can list a broken file with a kind); without one, files whose header names no
result kind (SHIKAKU-REG-RES, HONNIN-RES, SHOKAI-RES) are skipped with a warning. The
directory is read again for each list request and for an unknown result_id.
  GET /v1/results?limit=L&offset=O  (limit 1..50, default 50; offset default 0)
      {"total", "results": [{result_id, kind, created_at (the file's modification
      time, +09:00), size, sha256 (hex), records}]}: the results not acked, by result_id
  GET /v1/results/{result_id}  the bytes, text/csv; charset=Shift_JIS, with
      Repr-Digest: sha-256=:<base64>: (also after the ack)
  POST /v1/results/{result_id}/ack  204, idempotent; the result is no longer listed

Requests: PUT /v1/requests/{client_request_id} with X-Request-Kind: SHIKAKU-REG-REQ,
HONNIN-REQ or SHOKAI-REQ (else 400), Content-Type: text/csv (else 415; its charset is
not checked) and the file as body, whose first line must be H,<that kind>,... (else 400;
no deeper check). A new client_request_id answers 201 {"request_id":
"Q<start time>-<n>"}; the same one with the same bytes 200 with the same request_id;
with other bytes 409 request-conflict. An unknown request_id or result_id is 404.
GET /v1/requests/{request_id} answers {"status"}: "accepted" on the first poll, then
"processing" for --processing-polls polls, then "done" with "result_id". On the first
"done" poll the simulator writes the result (atomically) as --results/<result_id>.csv
(result_id R<start time>-<n>): a valid file of the answering kind (SHIKAKU-REG-RES,
HONNIN-RES, SHOKAI-RES) with as many records as the request had, at least 1 and at most
1000, made by the make-chukan-files generator, so it passes the gateway's inspection.
With --error-request-every N, every Nth new request ends in "error" instead (no
result_id, no file).

Faults: --F-every N makes every Nth request eligible for fault F get it; 0 disables.
Eligible: reset, error500, unavailable, throttle: every request (past the User-Agent/
X-Request-Id check); truncate, wrong-digest: result downloads. A request is not counted
for F, and never faulted by it, when it is F's first eligible request after F fired (so
a retry succeeds), when the previous request (any connection) got a fault, or when a
fault earlier in the order above already fired on it. Faulted requests change no state
(no ack, no request taken, no poll counted). Even with N = 1 every other attempt
succeeds.

Record (--record): one JSON line per request, flushed at once: t, method, target,
status (0 when reset), request_id (the client's X-Request-Id), user_agent,
client_cert_sha256, result_id when a result is concerned (also a done request's),
client_request_id and request_kind (as given) for a PUT, issued_request_id for a PUT
answered 200/201, request_status for a status poll, fault when one was injected.

--bind-device DEV binds the listening socket to the network device DEV
(SO_BINDTODEVICE), so that the simulator answers only over it (the tunnel device of an
IPsec test); a device that does not exist is a failure to start.

Limits: request headers 16 KiB (431), bodies --max-request (413), idle connections
closed after 30 s. Problems are application/problem+json with type
https://sekisho.example/problems/<name>: bad-request (the title says why for a refused
PUT), not-found, method-not-allowed, request-conflict, payload-too-large,
headers-too-large, unsupported-media-type, too-many-requests, internal-error (also when
a result file cannot be written), service-unavailable; 429 and 503 carry Retry-After.

Exit status: 0 after SIGTERM/SIGINT or --help, 1 when it cannot start, 2 on usage errors.

Options)";

struct Args {
    ServerArgs server;
    std::string results, bind_device;
    std::uint64_t processing_polls = 2, error_request_every = 0, max_request = 16 * kMiB;
};

po::options_description describe(Args& a) {
    po::options_description o{std::string(kAbout)};
    auto add = o.add_options();
    add_listen_options(add, a.server);
    add("results", po::value(&a.results)->required()->value_name("DIR"),
        "directory of <result_id>.csv (+ <result_id>.json); done requests add theirs");
    add_record_options(add, a.server);
    add("bind-device", po::value(&a.bind_device)->value_name("DEV"),
        "listen on network device DEV only (SO_BINDTODEVICE)");
    add("max-request", po::value(&a.max_request)->default_value(16 * kMiB)->value_name("BYTES"),
        "largest request body (413 above)");
    add("processing-polls", po::value(&a.processing_polls)->default_value(2)->value_name("N"),
        "status polls answered \"processing\" after the first (\"accepted\")");
    add("error-request-every", po::value(&a.error_request_every)->value_name("N"),
        "every Nth new request ends in \"error\"");
    add_fault_options(add, a.server, "result downloads", false);
    return o;
}

int run(const Args& a) {
    if (!std::filesystem::is_directory(a.results))
        throw std::runtime_error("--results " + a.results + " is not a directory");
    if (a.max_request == 0)
        throw std::invalid_argument("--max-request must be at least 1");
    Service service(Settings{.results_dir = a.results,
                             .processing_polls = a.processing_polls,
                             .error_request_every = a.error_request_every,
                             .retry_after = std::chrono::seconds(a.server.retry_after),
                             .faults = a.server.faults});
    return serve(a.server, service,
                 {.bind_device = a.bind_device,
                  .server_name = "sekisho-sim chukan",
                  .body_limit = static_cast<std::size_t>(a.max_request)});
}

}  // namespace

int chukan_sim_main(int argc, char** argv) {
    Args args;
    const auto options = describe(args);
    return server_command(argc, argv, "chukan", options, [&] { return run(args); });
}

#pragma once
// The command line and the life of a simulator process: the options every simulator takes,
// the exit status of every sekisho-sim server (0 after --help or SIGTERM/SIGINT, 1 when it
// cannot start, 2 on usage errors), and serving until a signal comes.

#include <boost/program_options/options_description.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "tests/sim/common/faults.hpp"
#include "tests/sim/common/http_service.hpp"
#include "tests/sim/common/tls_server.hpp"

namespace sekisho::sim {

struct ServerArgs {
    std::string listen, tls_cert, tls_key, client_ca, record, ready_file;
    std::uint64_t slow_ms = 0, retry_after = 1;
    FaultSettings faults;
};

using OptionAdder = boost::program_options::options_description_easy_init;

// --help, --listen, --tls-cert, --tls-key, --client-ca.
void add_listen_options(OptionAdder& add, ServerArgs& a);
// --record, --ready-file.
void add_record_options(OptionAdder& add, ServerArgs& a);
// --slow-ms, the --F-every flags of the faults (truncate and wrong-digest described as
// applying to `downloads`, expire-tokens only `with_tokens`), --retry-after.
void add_fault_options(OptionAdder& add, ServerArgs& a, std::string_view downloads,
                       bool with_tokens);

// Parses the command line into the variables `options` names (--help prints `options` and
// returns 0, a usage error says so and returns 2), then returns `run()`; a
// std::invalid_argument from it is a usage error (2), any other exception a failure to
// start (1), each with its message on stderr.
int server_command(int argc, char** argv, std::string_view command,
                   const boost::program_options::options_description& options,
                   const std::function<int()>& run);

// Listens on args.listen with mutual TLS (args.tls_cert, tls_key, client_ca), recording to
// args.record, writing the port to args.ready_file once listening, and serves `service`
// until SIGTERM or SIGINT; returns 0 then. `options` gives the rest (server name, limits,
// device); its listen and slow are taken from `args`. Throws when it cannot start.
int serve(const ServerArgs& args, HttpService& service, ServerOptions options);

}  // namespace sekisho::sim

#include "tests/sim/common/server_main.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>

#include <csignal>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "tests/sim/common/recorder.hpp"

namespace sekisho::sim {
namespace {

namespace po = boost::program_options;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kUsageError = 2;
constexpr int kFailure = 1;

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

}  // namespace

void add_listen_options(OptionAdder& add, ServerArgs& a) {
    add("help,h", "show this help");
    add("listen", po::value(&a.listen)->required()->value_name("ADDR:PORT"),
        "ADDR:PORT to listen on (port 0: any free)");
    add("tls-cert", po::value(&a.tls_cert)->required()->value_name("FILE"),
        "server certificate chain (PEM)");
    add("tls-key", po::value(&a.tls_key)->required()->value_name("FILE"),
        "server private key (PEM)");
    add("client-ca", po::value(&a.client_ca)->required()->value_name("FILE"),
        "CAs client certificates must chain to");
}

void add_record_options(OptionAdder& add, ServerArgs& a) {
    add("record", po::value(&a.record)->value_name("FILE"),
        "append a JSON line per request to FILE");
    add("ready-file", po::value(&a.ready_file)->value_name("FILE"),
        "write the bound port to FILE once listening");
}

void add_fault_options(OptionAdder& add, ServerArgs& a, std::string_view downloads,
                       bool with_tokens) {
    auto every = [&](Fault fault) {
        return po::value(&a.faults.every[static_cast<std::size_t>(fault)])->value_name("N");
    };
    const std::string on(downloads);
    add("slow-ms", po::value(&a.slow_ms)->default_value(0)->value_name("N"),
        "delay every response by N ms");
    add("truncate-every", every(Fault::truncate),
        (on + ": announce the full Content-Length, send half the body, close").c_str());
    add("wrong-digest-every", every(Fault::wrong_digest),
        (on + ": Repr-Digest of other bytes").c_str());
    add("reset-every", every(Fault::reset), "reset the connection (SO_LINGER 0), no answer");
    add("error500-every", every(Fault::error500), "answer 500");
    add("throttle-every", every(Fault::throttle), "answer 429 with Retry-After");
    add("unavailable-every", every(Fault::unavailable), "answer 503 with Retry-After");
    if (with_tokens)
        add("expire-tokens-every", every(Fault::expire_tokens),
            "answer 401 token-expired to a valid token and forget the token");
    add("retry-after", po::value(&a.retry_after)->default_value(1)->value_name("S"),
        "Retry-After seconds of 429 and 503");
}

int server_command(int argc, char** argv, std::string_view command,
                   const po::options_description& options, const std::function<int()>& run) {
    log::init("sekisho-sim");
    const std::string name = "sekisho-sim " + std::string(command);
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, options), vm);
        if (vm.count("help") != 0) {
            std::cout << options << "\n";
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << name << ": " << e.what() << "\n"
                  << "Try '" << name << " --help'.\n";
        return kUsageError;
    }
    try {
        return run();
    } catch (const std::invalid_argument& e) {
        std::cerr << name << ": " << e.what() << "\n";
        return kUsageError;
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << "\n";
        return kFailure;
    }
}

int serve(const ServerArgs& args, HttpService& service, ServerOptions options) {
    std::optional<Recorder> recorder;
    if (!args.record.empty())
        recorder.emplace(args.record);
    asio::io_context io;
    auto tls = make_server_tls(args.tls_cert, args.tls_key, args.client_ca);
    options.listen = resolve(args.listen);
    options.slow = std::chrono::milliseconds(args.slow_ms);
    TlsServer server(io, tls, service, recorder ? &*recorder : nullptr, std::move(options));
    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code&, int) {
        server.stop();
        io.stop();
    });
    server.start();
    if (!args.ready_file.empty())
        write_file_atomically(args.ready_file, std::to_string(server.port()) + "\n", 0644);
    log::info("listening", {{"port", server.port()}});
    io.run();
    return 0;
}

}  // namespace sekisho::sim

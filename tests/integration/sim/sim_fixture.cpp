#include "tests/integration/sim/sim_fixture.hpp"

#include <openssl/x509.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/sim/common/codec.hpp"

namespace sekisho::test {
namespace {

using namespace std::chrono_literals;
constexpr auto kWait = 10s;

sim::Issued make(sim::CertOptions options, const sim::Issued* issuer) {
    options.key = sim::KeyType::p256;  // fast to generate; RSA adds nothing here
    return sim::make_cert(options, issuer);
}

}  // namespace

SimProcess::SimProcess()
    : server_ca(make({.common_name = "Simulator test CA", .ca = true}, nullptr)),
      client_ca(make({.common_name = "Gateway client CA", .ca = true}, nullptr)),
      server(make({.common_name = "sim.test",
                   .dns_names = {"localhost"},
                   .ip_addresses = {"127.0.0.1", "192.0.2.2"},
                   .server_auth = true},
                  &server_ca)),
      client(make({.common_name = "society", .client_auth = true}, &client_ca)) {
    write_file(dir / "server-ca.pem", server_ca.cert_pem());
    write_file(dir / "client-ca.pem", client_ca.cert_pem());
    server.write(dir / "server.pem", dir / "server.key");
    client.write(dir / "client.pem", dir / "client.key");
}

void SimProcess::start(const std::vector<std::string>& args) {
    std::vector<std::string> argv = prefix;
    argv.push_back(program("sekisho-sim").string());
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string listen = host + ":" + (port.empty() ? "0" : port);
    std::filesystem::remove(ready);
    argv.insert(argv.end(),
                {"--listen", listen, "--tls-cert", (dir / "server.pem").string(), "--tls-key",
                 (dir / "server.key").string(), "--client-ca", (dir / "client-ca.pem").string(),
                 "--record", record.string(), "--ready-file", ready.string()});
    child = std::make_unique<Child>(argv, std::map<std::string, std::string>{}, dir / "sim.log");
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline && child->running()) {
        if (std::filesystem::exists(ready)) {
            port = read_file(ready);
            port.erase(port.find_last_not_of('\n') + 1);
            return;
        }
        std::this_thread::sleep_for(20ms);
    }
    throw std::runtime_error("the simulator did not get ready: " + read_file(dir / "sim.log"));
}

std::vector<boost::json::object> SimProcess::records() const {
    std::vector<boost::json::object> out;
    std::istringstream in(read_file(record));
    for (std::string line; std::getline(in, line);)
        out.push_back(boost::json::parse(line).as_object());
    return out;
}

std::string der_sha256(const sim::Issued& cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.cert.get(), &der);
    const auto out = sim::hex(sim::sha256(std::string_view(reinterpret_cast<char*>(der), len)));
    OPENSSL_free(der);
    return out;
}

}  // namespace sekisho::test

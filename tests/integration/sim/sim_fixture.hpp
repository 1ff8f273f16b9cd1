#pragma once
// A sekisho-sim server subcommand as a real process for a test: a PKI of its own (server CA,
// client CA, server and client certificates) written into a temporary directory, the process
// listening on a free port of `host` (127.0.0.1 unless a test says otherwise; it may run in
// another network namespace through `prefix`) with a record, and what it recorded.

#include <boost/json/object.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/sim/pki.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

struct SimProcess {
    // e.g. `ip netns exec NS`; and the address to listen on (the server certificate names
    // 127.0.0.1, 192.0.2.2 and localhost).
    std::vector<std::string> prefix;
    std::string host = "127.0.0.1";
    TempDir dir;
    // Written as server-ca.pem, client-ca.pem, server.pem + server.key, client.pem + client.key.
    sim::Issued server_ca, client_ca, server, client;
    std::filesystem::path record = dir / "record.jsonl";
    std::filesystem::path ready = dir / "port";
    std::unique_ptr<Child> child;
    std::string port;

    SimProcess();

    // Runs `sekisho-sim <args> --listen HOST:0` with the server certificate, the client CA,
    // --record and --ready-file, its stderr in sim.log, and waits until it listens; throws
    // with the log when it does not within 10 s. Started again, it listens on the same port.
    void start(const std::vector<std::string>& args);
    // The lines of the record so far.
    std::vector<boost::json::object> records() const;
};

// Hex SHA-256 of a certificate's DER: the record's client_cert_sha256.
std::string der_sha256(const sim::Issued& cert);

}  // namespace sekisho::test

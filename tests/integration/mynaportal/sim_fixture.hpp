#pragma once
// A running `sekisho-sim mynaportal` with its own PKI and filings, and a queue and poll
// settings pointed at it: everything a Mynaportal source test needs.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/mynaportal/poller.hpp"
#include "tests/sim/pki.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/queue/queue_fixture.hpp"

namespace sekisho::test {

struct SimFixture {
    TempDir dir;
    sim::Issued server_ca =
        sim::make_cert({.common_name = "Test Mynaportal CA", .ca = true}, nullptr);
    sim::Issued server = sim::make_cert({.common_name = "localhost",
                                         .dns_names = {"localhost"},
                                         .ip_addresses = {"127.0.0.1"},
                                         .server_auth = true},
                                        &server_ca);
    sim::Issued client_ca =
        sim::make_cert({.common_name = "Test terminal CA", .ca = true}, nullptr);
    sim::Issued client =
        sim::make_cert({.common_name = "terminal", .client_auth = true}, &client_ca);
    std::filesystem::path filings = dir / "filings";
    std::filesystem::path record = dir / "record.jsonl";
    std::unique_ptr<Child> sim_process;
    int port = 0;

    SimFixture() {
        std::filesystem::create_directory(filings);
        server_ca.write(dir / "server-ca.pem", dir / "server-ca.key");
        server.write(dir / "server.pem", dir / "server.key");
        client_ca.write(dir / "client-ca.pem", dir / "client-ca.key");
        client.write(dir / "client.pem", dir / "client.key");
        write_file(dir / "password", "correct horse\n", 0600);
    }

    // Packages with distinct bytes; arrive ids 202611240000001… in submission order.
    std::vector<std::string> add_filings(int n, std::size_t size = 4000) {
        std::vector<std::string> ids;
        const int first =
            static_cast<int>(std::distance(std::filesystem::directory_iterator(filings),
                                           std::filesystem::directory_iterator())) /
            2;
        for (int i = first; i < first + n; ++i) {
            char id[32];
            std::snprintf(id, sizeof id, "20261124%07d", i + 1);
            std::string bytes = "PK-test-package-" + std::string(id) + "-";
            bytes.resize(size, static_cast<char>('a' + i % 26));
            write_file(filings / (std::string(id) + ".zip"), bytes);
            char at[40];
            std::snprintf(at, sizeof at, "2026-11-24T08:%02d:%02d+09:00", (i / 60) % 60, i % 60);
            const boost::json::object sidecar{{"arrive_id", id},
                                              {"procedure_id", "950A010700005000"},
                                              {"form_codes", boost::json::array{"2200700"}},
                                              {"office",
                                               {{"prefecture", "21"},
                                                {"district", "01"},
                                                {"symbol", "ｱｲｳ"},
                                                {"number", "12345"}}},
                                              {"submitted_at", at},
                                              {"auth_method", "certificate"}};
            write_file(filings / (std::string(id) + ".json"), boost::json::serialize(sidecar));
            ids.emplace_back(id);
        }
        return ids;
    }

    void start(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> argv{program("sekisho-sim"),
                                      "mynaportal",
                                      "--listen",
                                      "127.0.0.1:0",
                                      "--ready-file",
                                      (dir / "port").string(),
                                      "--tls-cert",
                                      (dir / "server.pem").string(),
                                      "--tls-key",
                                      (dir / "server.key").string(),
                                      "--client-ca",
                                      (dir / "client-ca.pem").string(),
                                      "--filings",
                                      filings.string(),
                                      "--record",
                                      record.string(),
                                      "--password-file",
                                      (dir / "password").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        std::filesystem::remove(dir / "port");
        sim_process =
            std::make_unique<Child>(argv, std::map<std::string, std::string>{}, dir / "sim.log");
        for (int i = 0; i < 500 && port == 0; ++i) {
            const auto text = read_file(dir / "port");
            if (!text.empty() && text.back() == '\n')
                port = std::stoi(text);
            if (port == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (port == 0)
            throw std::runtime_error("simulator did not start: " + read_file(dir / "sim.log"));
    }

    mynaportal::PollSettings settings(const std::string& ca = "server-ca.pem") const {
        mynaportal::PollSettings s;
        s.endpoint = http::Endpoint::parse("https://127.0.0.1:" + std::to_string(port) + "/");
        const auto key = read_file(dir / "client.key");
        s.tls = http::TlsClientContext::create(
            {dir / ca,
             {},
             read_file(dir / "client.pem"),
             config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end()))});
        s.timeouts = {std::chrono::milliseconds(2000), std::chrono::milliseconds(2000),
                      std::chrono::milliseconds(2000)};
        s.user_id = "K1234567";
        s.password = config::SecretRef((dir / "password").string());
        s.notice_retry_base = std::chrono::milliseconds(50);
        return s;
    }

    // Every line the simulator recorded, parsed.
    std::vector<boost::json::object> recorded() const {
        std::vector<boost::json::object> out;
        std::istringstream in(read_file(record));
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty())
                out.push_back(boost::json::parse(line).as_object());
        }
        return out;
    }

    // How many times each arrive id got a request whose target ends in `suffix`, or a
    // notice of `notice_kind`, answered with a 2xx.
    std::map<std::string, int> count(const std::string& suffix,
                                     const std::string& notice_kind = "") const {
        std::map<std::string, int> out;
        for (const auto& r : recorded()) {
            const auto status = r.at("status").to_number<int>();
            if (status < 200 || status > 299 || !r.contains("arrive_id"))
                continue;
            const std::string target(r.at("target").as_string());
            if (!target.ends_with(suffix))
                continue;
            if (!notice_kind.empty() &&
                (!r.contains("notice") || r.at("notice").at("kind").as_string() != notice_kind)) {
                continue;
            }
            ++out[std::string(r.at("arrive_id").as_string())];
        }
        return out;
    }
};

inline mynaportal::CycleReport poll(queue::Queue& q, const mynaportal::PollSettings& s) {
    boost::asio::io_context io;
    auto f = boost::asio::co_spawn(io, mynaportal::poll_once(q, s), boost::asio::use_future);
    io.run();
    return f.get();
}

}  // namespace sekisho::test

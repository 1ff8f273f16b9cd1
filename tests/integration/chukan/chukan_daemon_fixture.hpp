#pragma once
// sekishod with the 中間サーバー source against `sekisho-sim chukan` (its own PKI, a results
// directory filled by `sekisho-sim make-chukan-files`), a real clamd, and a sekisho-recv
// core inbox behind the one-way link: everything the chukan end-to-end tests run.

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "adapters/chukan/poller.hpp"
#include "tests/integration/daemon/daemon_run.hpp"
#include "tests/integration/oneway/link_fixture.hpp"
#include "tests/integration/sim/sim_fixture.hpp"

namespace sekisho::test {

struct ChukanSim : SimProcess {
    std::filesystem::path results = dir / "results";

    ChukanSim() { std::filesystem::create_directory(results); }

    void start(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"chukan", "--results", results.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        SimProcess::start(args);
    }

    // Valid files of the three result kinds (and with `invalid`, broken ones listed with
    // their expected kind) into the simulator's results directory; returns their ids.
    std::set<std::string> add_results(int count, bool invalid = false, int seed = 1) {
        const auto aside = dir / ("made-" + std::to_string(seed));
        std::vector<std::string> argv{program("sekisho-sim"),
                                      "make-chukan-files",
                                      "--out",
                                      aside.string(),
                                      "--count",
                                      std::to_string(count),
                                      "--seed",
                                      std::to_string(seed)};
        if (invalid)
            argv.push_back("--invalid");
        const auto r = run(argv);
        if (r.exit_code != 0)
            throw std::runtime_error("make-chukan-files failed: " + r.err);
        std::set<std::string> ids;
        std::istringstream manifest(read_file(aside / "manifest.jsonl"));
        std::string line;
        while (std::getline(manifest, line)) {
            const auto m = boost::json::parse(line).as_object();
            const std::string kind(m.at("kind").as_string());
            if (!kind.ends_with("-RES"))
                continue;
            const std::filesystem::path file(std::string(m.at("file").as_string()));
            const std::string id = "s" + std::to_string(seed) + "-" + file.stem().string();
            write_file(results / (id + ".json"),
                       boost::json::serialize(boost::json::object{{"kind", kind}}));
            std::filesystem::rename(aside / file, results / (id + ".csv"));
            ids.insert(id);
        }
        return ids;
    }

    // A valid request file of `kind` made by the generator, written to `to`.
    void make_request(const std::string& kind, const std::filesystem::path& to, int seed) {
        const auto aside = dir / ("req-" + std::to_string(seed));
        const auto r = run({program("sekisho-sim"), "make-chukan-files", "--out", aside.string(),
                            "--count", "1", "--seed", std::to_string(seed)});
        if (r.exit_code != 0)
            throw std::runtime_error("make-chukan-files failed: " + r.err);
        for (const auto& f : std::filesystem::directory_iterator(aside)) {
            const std::string name = f.path().filename().string();
            if (name.starts_with("valid-") && name.ends_with("-" + kind + ".csv")) {
                std::filesystem::copy_file(f.path(), to);
                return;
            }
        }
        throw std::runtime_error("make-chukan-files wrote no " + kind);
    }

    // Poll settings for adapters/chukan pointed at the simulator.
    chukan::PollSettings settings(const std::string& ipsec_check = "off") const {
        chukan::PollSettings s;
        s.endpoint = http::Endpoint::parse("https://" + host + ":" + port + "/");
        const auto key = read_file(dir / "client.key");
        s.tls = http::TlsClientContext::create(
            {dir / "server-ca.pem",
             {},
             read_file(dir / "client.pem"),
             config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end()))});
        s.timeouts = {std::chrono::milliseconds(2000), std::chrono::milliseconds(2000),
                      std::chrono::milliseconds(2000)};
        s.ipsec = chukan::parse_ipsec_check(ipsec_check);
        s.status_interval = std::chrono::milliseconds(0);
        return s;
    }

    // Recorded requests whose method is `method` and whose target ends with `suffix`.
    std::vector<boost::json::object> calls(const std::string& method,
                                           const std::string& suffix = "") const {
        std::vector<boost::json::object> out;
        for (auto& r : records()) {
            const std::string target(r.at("target").as_string());
            if (r.at("method").as_string() == method && target.ends_with(suffix))
                out.push_back(std::move(r));
        }
        return out;
    }
};

struct ChukanDaemonFixture : DaemonRun {
    ChukanSim sim;
    LinkFixture link;

    std::string config_text(const std::string& ipsec_check, const std::string& extra = "") const {
        const auto d = sim.dir.path();
        const auto q = [](const std::filesystem::path& p) { return "\"" + p.string() + "\""; };
        return "[chukan]\nenabled = true\nbase_url = \"https://" + sim.host + ":" + sim.port +
               "/\"\nca_file = " + q(d / "server-ca.pem") +
               "\nclient_cert = " + q(d / "client.pem") + "\nclient_key = " + q(d / "client.key") +
               "\npoll_interval = \"1s\"\ntimeout = \"5s\"\nstatus_interval = \"1s\"\nipsec_check "
               "= \"" +
               ipsec_check + "\"\n[inspect]\nworker_timeout = \"5s\"\n" + clamd_config() +
               "[roles]\noperators = [\"user:" + current_user() + "\"]\n" + extra +
               "[oneway]\ndestination = \"" + link.listen + "\"\nrate = \"200Mbit\"\n";
    }

    void write_config(const std::string& ipsec_check, const std::string& extra = "") {
        write_file(daemon.config,
                   daemon.config_text(config_text(ipsec_check, extra)) + "oneway_key = \"" +
                       (link.dir / "oneway.key").string() + "\"\n",
                   0640);
    }

    Completed ctl(const std::vector<std::string>& args) const {
        std::vector<std::string> argv{program("sekishoctl"), "-c", daemon.config.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }

    // Waits until sekishod answers on its control socket.
    void wait_until_ready() const {
        if (!wait(std::chrono::seconds(30), [&] { return ctl({"status"}).exit_code == 0; }))
            throw std::runtime_error("sekishod did not answer: " + read_file(daemon_log()));
    }

    // The manifests in the core inbox, by item id.
    std::map<std::string, boost::json::object> delivered() const {
        std::map<std::string, boost::json::object> out;
        if (!std::filesystem::exists(link.inbox()))
            return out;
        for (const auto& f : std::filesystem::directory_iterator(link.inbox())) {
            if (f.path().extension() == ".json")
                out[f.path().stem().string()] = boost::json::parse(read_file(f.path())).as_object();
        }
        return out;
    }

    std::string logs() const {
        return "sekishod:\n" + read_file(daemon_log()) + "\nsimulator:\n" +
               read_file(sim.dir / "sim.log");
    }
};

}  // namespace sekisho::test

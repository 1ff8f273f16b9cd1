#pragma once
// Everything the end-to-end pipeline tests run: the Mynaportal simulator with generated
// filings, a real clamd, and sekishod configured for both, as separate processes.

#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/daemon/daemon_run.hpp"
#include "tests/integration/mynaportal/sim_fixture.hpp"
#include "tests/support/clamd_fixture.hpp"
#include "tests/support/process.hpp"

namespace sekisho::test {

struct Expectation {
    std::set<std::string> codes;  // empty: accept
    std::string description;
};

inline std::set<std::string> reason_codes(const std::string& reasons_json) {
    std::set<std::string> out;
    const auto parsed = boost::json::parse(reasons_json);
    for (const auto& r : parsed.as_array())
        out.insert(std::string(r.at("code").as_string()));
    return out;
}

// A 個人番号 standing on its own; not twelve digits inside an item id's hex groups.
inline bool has_twelve_digit_run(const std::string& text) {
    static const std::regex run("(^|[^0-9A-Za-z-])[0-9]{12}([^0-9A-Za-z-]|$)");
    return std::regex_search(text, run);
}

struct PipelineFixture : DaemonRun {
    SimFixture sim;
    std::filesystem::path ca = sim.dir / "ca";
    int workers = 4;  // [inspect] workers: the pipeline's lanes

    void generate(const std::vector<std::string>& args) {
        std::vector<std::string> argv{program("sekisho-sim"), "make-filings", "--out",
                                      sim.filings.string(),   "--ca-dir",     ca.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = run(argv);
        if (r.exit_code != 0)
            throw std::runtime_error("make-filings failed: " + r.err);
    }

    // More filings while the simulator runs: generated aside, then moved in package first,
    // listing last, so the simulator never lists a package that is not there yet.
    std::vector<std::string> add_batch(int seed, int count) {
        const auto aside = sim.dir / ("batch-" + std::to_string(seed));
        const auto r =
            run({program("sekisho-sim"), "make-filings", "--out", aside.string(), "--ca-dir",
                 ca.string(), "--count", std::to_string(count), "--seed", std::to_string(seed)});
        if (r.exit_code != 0)
            throw std::runtime_error("make-filings failed: " + r.err);
        std::vector<std::string> ids;
        for (const auto& f : std::filesystem::directory_iterator(aside)) {
            if (f.path().extension() == ".zip")
                ids.push_back(f.path().stem().string());
        }
        for (const auto& id : ids) {
            std::filesystem::rename(aside / (id + ".zip"), sim.filings / (id + ".zip"));
            std::filesystem::rename(aside / (id + ".json"), sim.filings / (id + ".json"));
        }
        return ids;
    }

    // The daemon's inspection worker, or -1 while none runs.
    pid_t worker_pid() const {
        for (const auto& p : std::filesystem::directory_iterator("/proc")) {
            const std::string stat = read_file(p.path() / "stat");
            const auto open = stat.find('(');
            const auto close = stat.rfind(')');
            if (open == std::string::npos || close == std::string::npos)
                continue;
            int ppid = 0;
            char state = 0;
            std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid);
            if (ppid == sekishod->pid() &&
                stat.substr(open + 1, close - open - 1) == std::string("sekisho-inspect"))
                return static_cast<pid_t>(std::stoi(stat.substr(0, open)));
        }
        return -1;
    }

    std::string config_text() const {
        const auto d = sim.dir.path();
        const auto q = [](const std::filesystem::path& p) { return "\"" + p.string() + "\""; };
        return "[mynaportal]\nenabled = true\nbase_url = \"https://127.0.0.1:" +
               std::to_string(sim.port) + "/\"\nca_file = " + q(d / "server-ca.pem") +
               "\nclient_cert = " + q(d / "client.pem") + "\nclient_key = " + q(d / "client.key") +
               "\nuser_id = \"K1234567\"\npassword_credential = " + q(d / "password") +
               "\npoll_interval = \"1s\"\ntimeout = \"5s\"\n" + "[inspect]\ntrust_anchors = [" +
               q(ca / "trust-anchor.pem") + "]\ncrl_files = [" + q(ca / "crl.pem") +
               "]\nworker_timeout = \"5s\"\nworkers = " + std::to_string(workers) + "\n" +
               clamd_config();
    }

    void start_all() {
        sim.start();
        daemon.write_config(config_text());
        start_daemon();
    }

    std::map<std::string, Expectation> expectations() const {
        std::map<std::string, Expectation> out;
        for (const auto& f : std::filesystem::directory_iterator(sim.filings)) {
            if (f.path().extension() != ".json")
                continue;
            const auto parsed = boost::json::parse(read_file(f.path()));
            const auto& o = parsed.as_object();
            Expectation e;
            for (const auto& c : o.at("expect").at("codes").as_array())
                e.codes.insert(std::string(c.as_string()));
            e.description = std::string(o.at("description").as_string());
            out[std::string(o.at("arrive_id").as_string())] = e;
        }
        return out;
    }

    bool wait_for_notices(const std::string& kind, std::size_t n, std::chrono::seconds limit) {
        return wait(limit, [&] { return sim.count("/notices", kind).size() >= n; });
    }

    // Waits for a notice of `kind` for each of these filings; a count alone could be
    // reached by notices for other filings while one of these is still owed.
    bool wait_for_notices(const std::string& kind, const std::set<std::string>& arrive_ids,
                          std::chrono::seconds limit) {
        return wait(limit, [&] {
            const auto sent = sim.count("/notices", kind);
            return std::all_of(arrive_ids.begin(), arrive_ids.end(),
                               [&](const std::string& id) { return sent.count(id) == 1; });
        });
    }

    // Every expected item has left fetched, inspecting and scanning.
    void wait_until_settled(const std::map<std::string, Expectation>& expected,
                            std::chrono::seconds limit) const {
        const bool settled = wait(limit, [&] {
            const double done = items_in("staged") + items_in("rejected") + items_in("duplicate") +
                                items_in("held");
            return done >= static_cast<double>(expected.size()) && items_in("fetched") == 0 &&
                   items_in("inspecting") == 0 && items_in("scanning") == 0;
        });
        INFO(read_file(daemon.metrics));
        CHECK(settled);
    }

    // What the daemon and the simulator said, for a failure message.
    std::string logs() const {
        return "sekishod:\n" + read_file(daemon_log()) + "\nsimulator:\n" +
               read_file(sim.dir / "sim.log");
    }

    std::string returned_code(const std::string& arrive_id) const {
        for (const auto& r : sim.recorded()) {
            if (r.contains("notice") && r.contains("arrive_id") &&
                r.at("arrive_id").as_string() == arrive_id &&
                r.at("notice").at("kind").as_string() == "returned")
                return std::string(r.at("notice").at("reason_code").as_string());
        }
        return "";
    }
};

}  // namespace sekisho::test

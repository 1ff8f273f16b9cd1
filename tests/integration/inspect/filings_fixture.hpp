#pragma once
// Packages written by `sekisho-sim make-filings` (valid and invalid) with their sidecars'
// expectations, and the inspection options that trust the generator's test CA.

#include <boost/json.hpp>

#include <ctime>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "daemon/inspect/options.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

struct GeneratedPackage {
    std::filesystem::path zip;
    std::string auth_method;      // "certificate" | "gbizid"
    std::string verdict;          // "accept" | "reject"
    std::set<std::string> codes;  // what the inspector must find
};

class FilingsFixture {
  public:
    explicit FilingsFixture(int valid_count = 3) {
        const Completed r =
            run({program("sekisho-sim").string(), "make-filings", "--out", (dir / "out").string(),
                 "--ca-dir", ca().string(), "--count", std::to_string(valid_count), "--invalid"});
        if (r.exit_code != 0)
            throw std::runtime_error("make-filings failed: " + r.err);
        for (const auto& e : std::filesystem::directory_iterator(dir / "out")) {
            if (e.path().extension() == ".zip")
                packages.push_back(read_sidecar(e.path()));
        }
    }

    std::filesystem::path ca() const { return dir / "ca"; }

    inspect::Options options(const std::string& auth_method) const {
        inspect::Options o;
        o.auth_method = auth_method == "gbizid" ? inspect::AuthMethod::gbizid
                                                : inspect::AuthMethod::certificate;
        o.trust_anchors = {read_file(ca() / "trust-anchor.pem")};
        o.crls = {read_file(ca() / "crl.pem")};
        o.now = std::time(nullptr);
        return o;
    }

    TempDir dir;
    std::vector<GeneratedPackage> packages;

  private:
    static GeneratedPackage read_sidecar(const std::filesystem::path& zip) {
        auto sidecar = zip;
        sidecar.replace_extension(".json");
        const auto v = boost::json::parse(read_file(sidecar)).as_object();
        GeneratedPackage p;
        p.zip = zip;
        p.auth_method = std::string(v.at("auth_method").as_string());
        const auto& expect = v.at("expect").as_object();
        p.verdict = std::string(expect.at("verdict").as_string());
        // The virus scan and the queue, not the inspector, find these.
        for (const auto& c : expect.at("codes").as_array()) {
            if (c != "E-MALWARE" && c != "E-DUPLICATE")
                p.codes.insert(std::string(c.as_string()));
        }
        if (p.codes.empty())
            p.verdict = "accept";
        return p;
    }
};

}  // namespace sekisho::test

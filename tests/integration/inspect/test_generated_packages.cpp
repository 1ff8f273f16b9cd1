// inspect_package on every package of `sekisho-sim make-filings --invalid`: the set of
// reason codes must equal the sidecar's expect.codes exactly. One test case per family of
// codes, so that each engineer can run the family of their part; E-MALWARE and E-DUPLICATE
// are the scanner's and the queue's, so the inspector must accept those packages.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <ctime>
#include <filesystem>
#include <sstream>

#include "daemon/inspect/inspector.hpp"
#include "daemon/inspect/signature.hpp"
#include "tests/integration/inspect/verdict_checks.hpp"
#include "tests/sim/filings/package.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::inspect;
namespace fs = std::filesystem;

namespace {

constexpr int kValidCount = 16;
const std::set<std::string> kNotInspectorCodes{"E-MALWARE", "E-DUPLICATE"};

struct Generated {
    std::string arrive_id;
    std::string description;
    std::string auth_method;
    std::set<std::string> expected;  // what the inspector must return
    std::set<std::string> sidecar;   // expect.codes as written
    std::string zip;
};

Generated read_package(const fs::path& sidecar) {
    const auto v = boost::json::parse(test::read_file(sidecar)).as_object();
    Generated g;
    g.arrive_id = std::string(v.at("arrive_id").as_string());
    g.description = std::string(v.at("description").as_string());
    g.auth_method = std::string(v.at("auth_method").as_string());
    for (const auto& c : v.at("expect").at("codes").as_array())
        g.sidecar.insert(std::string(c.as_string()));
    for (const auto& c : g.sidecar) {
        if (kNotInspectorCodes.count(c) == 0)
            g.expected.insert(c);
    }
    auto zip = sidecar;
    g.zip = test::read_file(zip.replace_extension(".zip"));
    return g;
}

// Generated once per test process.
class Filings {
  public:
    static const Filings& get() {
        static const Filings instance;
        return instance;
    }

    Options options(const Generated& g) const {
        Options o;
        o.auth_method = g.auth_method == "gbizid" ? AuthMethod::gbizid : AuthMethod::certificate;
        o.trust_anchors = {test::read_file(dir_ / "ca" / "trust-anchor.pem")};
        o.crls = {test::read_file(dir_ / "ca" / "crl.pem")};
        o.now = std::time(nullptr);
        return o;
    }

    std::vector<const Generated*> with_prefix(std::string_view prefix) const {
        std::vector<const Generated*> out;
        for (const auto& g : packages_) {
            const bool match =
                prefix.empty()
                    ? g.expected.empty()
                    : std::any_of(g.expected.begin(), g.expected.end(),
                                  [&](const std::string& c) { return c.starts_with(prefix); });
            if (match)
                out.push_back(&g);
        }
        return out;
    }

    const std::vector<Generated>& all() const { return packages_; }

  private:
    Filings() {
        init_signature_library();
        const test::Completed r =
            test::run({test::program("sekisho-sim").string(), "make-filings", "--out",
                       (dir_ / "filings").string(), "--ca-dir", (dir_ / "ca").string(), "--count",
                       std::to_string(kValidCount), "--invalid"});
        if (r.exit_code != 0)
            throw std::runtime_error("make-filings failed: " + r.err);
        for (const auto& e : fs::directory_iterator(dir_ / "filings")) {
            if (e.path().extension() == ".json")
                packages_.push_back(read_package(e.path()));
        }
        std::sort(packages_.begin(), packages_.end(),
                  [](const Generated& a, const Generated& b) { return a.arrive_id < b.arrive_id; });
    }

    test::TempDir dir_;
    std::vector<Generated> packages_;
};

// Inspects each package and checks its codes; returns how many were checked.
std::size_t check_family(std::string_view prefix) {
    const auto packages = Filings::get().with_prefix(prefix);
    for (const Generated* g : packages) {
        const Inspection in = inspect_package(g->zip, Filings::get().options(*g));
        const std::set<std::string> got = in.verdict.codes();
        INFO(g->arrive_id << " (" << g->auth_method << "): " << g->description << "\n  expected: "
                          << test::joined(g->expected) << "\n  got:      " << test::joined(got)
                          << test::reasons_text(in.verdict));
        CHECK(got == g->expected);
        if (got.empty())
            CHECK_FALSE(in.entries.empty());
    }
    return packages.size();
}

}  // namespace

TEST_CASE("generated valid packages are accepted", "[filings][valid]") {
    CHECK(check_family("") >= kValidCount);
}

TEST_CASE("generated E-ZIP packages get exactly their codes", "[filings][zip]") {
    CHECK(check_family("E-ZIP-") >= 10);
}

TEST_CASE("generated E-TYPE packages get exactly their codes", "[filings][types]") {
    CHECK(check_family("E-TYPE-") >= 2);
}

TEST_CASE("generated E-XML packages get exactly their codes", "[filings][xml]") {
    CHECK(check_family("E-XML-") >= 6);
}

TEST_CASE("generated E-SIG packages get exactly their codes", "[filings][signature]") {
    CHECK(check_family("E-SIG-") >= 14);
}

TEST_CASE("generated E-CSV packages get exactly their codes", "[filings][csv]") {
    CHECK(check_family("E-CSV-") >= 10);
}

TEST_CASE("generated E-MYNUMBER packages get exactly their codes", "[filings][mynumber]") {
    CHECK(check_family("E-MYNUMBER-") >= 4);
}

TEST_CASE("the scanner's and the queue's specimens pass inspection", "[filings][valid]") {
    std::size_t specimens = 0;
    for (const auto& g : Filings::get().all()) {
        if (g.sidecar.count("E-MALWARE") == 0 && g.sidecar.count("E-DUPLICATE") == 0)
            continue;
        ++specimens;
        const Inspection in = inspect_package(g.zip, Filings::get().options(g));
        INFO(g.arrive_id << ": " << g.description << test::reasons_text(in.verdict));
        CHECK(in.verdict.accepted());
    }
    CHECK(specimens == 2);
}

namespace {

// Every fixed text the inspector can put into a verdict is written in its sources or schemas.

}  // namespace

TEST_CASE("verdicts carry no number or text copied from a package", "[filings][privacy]") {
    const std::string sources = test::inspector_sources();
    REQUIRE(sources.find("構成情報") != std::string::npos);
    std::size_t reasons = 0;
    for (const auto& g : Filings::get().all()) {
        const Inspection in = inspect_package(g.zip, Filings::get().options(g));
        for (const auto& r : in.verdict.reasons()) {
            ++reasons;
            INFO(g.arrive_id << ": " << g.description << "\n  " << r.code << " at " << r.where
                             << ": " << r.detail);
            CHECK_FALSE(test::has_long_digit_run(r.where));
            CHECK_FALSE(test::has_long_digit_run(r.detail));
            for (const auto& run : test::non_ascii_runs(r.where + " " + r.detail))
                CHECK(sources.find(run) != std::string::npos);
        }
    }
    CHECK(reasons >= Filings::get().with_prefix("E-").size());
}

TEST_CASE("a 12-digit number in the 申請書XML text is E-MYNUMBER-NOT-ALLOWED",
          "[filings][mynumber]") {
    namespace sim = sekisho::sim::filings;
    sim::Rng rng(11);
    sim::Slot slot;
    slot.arrive_id = "202611240000001";
    slot.date = sim::make_date(2026, 11, 24);
    slot.submitted_at = "2026-11-24T08:30:00+09:00";
    const sim::Filing filing = sim::make_filing(rng, slot, {.forms = {{"2221700", 1}}});
    Options gbizid;
    gbizid.auth_method = AuthMethod::gbizid;
    gbizid.now = std::time(nullptr);
    auto codes_with_stylesheet = [&](const std::string& stylesheet) {
        sim::Draft d = sim::make_draft(filing, slot, "gbizid");
        sim::replace_once(sim::file(d, filing.form_file()).bytes,
                          "<STYLESHEET>" + filing.form_id + ".xsl", "<STYLESHEET>" + stylesheet);
        const Inspection in = inspect_package(sim::zip_bytes(d), gbizid);
        INFO(stylesheet << test::reasons_text(in.verdict));
        return in.verdict.codes();
    };
    CHECK(codes_with_stylesheet(filing.form_id + ".xsl").empty());
    CHECK(codes_with_stylesheet("控え621498320258.xsl").empty());  // wrong check digit
    const std::set<std::string> stray{"E-MYNUMBER-NOT-ALLOWED"};
    CHECK(codes_with_stylesheet("控え621498320257.xsl") == stray);
    CHECK(codes_with_stylesheet("控え&#x36;21498320257.xsl") == stray);  // a character reference
}

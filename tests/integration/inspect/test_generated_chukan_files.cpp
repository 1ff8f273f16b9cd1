// The real sekisho-inspect-worker, sandbox and all, on every file of
// `sekisho-sim make-chukan-files --invalid`: each gets exactly the codes of its manifest
// line, valid ones their record count and flags, and no reason carries a value of a file.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "daemon/inspect/worker_client.hpp"
#include "tests/integration/inspect/verdict_checks.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::inspect;
namespace fs = std::filesystem;

namespace {

constexpr int kValidPerKind = 3;

struct Generated {
    std::string file;
    std::string kind;
    std::string verdict;
    std::set<std::string> codes;
    std::string description;
    std::int64_t records = -1;  // valid files only
    std::vector<std::string> flags;
    std::string bytes;
};

Generated read_line(const boost::json::object& o, const fs::path& dir) {
    Generated g;
    g.file = std::string(o.at("file").as_string());
    g.kind = std::string(o.at("kind").as_string());
    g.verdict = std::string(o.at("verdict").as_string());
    g.description = std::string(o.at("description").as_string());
    for (const auto& c : o.at("codes").as_array())
        g.codes.insert(std::string(c.as_string()));
    if (const auto* r = o.if_contains("records"))
        g.records = r->to_number<std::int64_t>();
    if (const auto* f = o.if_contains("flags")) {
        for (const auto& flag : f->as_array())
            g.flags.emplace_back(flag.as_string());
    }
    g.bytes = test::read_file(dir / g.file);
    return g;
}

// Generated once per test process.
class ChukanFiles {
  public:
    static const ChukanFiles& get() {
        static const ChukanFiles instance;
        return instance;
    }
    const std::vector<Generated>& all() const { return files_; }

  private:
    ChukanFiles() {
        const fs::path out = dir_ / "chukan";
        const test::Completed r =
            test::run({test::program("sekisho-sim").string(), "make-chukan-files", "--out",
                       out.string(), "--count", std::to_string(kValidPerKind), "--invalid"});
        if (r.exit_code != 0)
            throw std::runtime_error("make-chukan-files failed: " + r.err);
        std::istringstream manifest(test::read_file(out / "manifest.jsonl"));
        for (std::string line; std::getline(manifest, line);)
            files_.push_back(read_line(boost::json::parse(line).as_object(), out));
    }

    test::TempDir dir_;
    std::vector<Generated> files_;
};

WorkerSettings real_worker() {
    WorkerSettings s;
    s.program = test::program("sekisho-inspect-worker");
    return s;
}

ChukanInspection inspected(ChukanResult result) {
    if (const auto* f = std::get_if<Failure>(&result))
        FAIL("worker failed: " << f->reason);
    return std::get<ChukanInspection>(std::move(result));
}

}  // namespace

TEST_CASE("the generator writes valid files of every kind and two invalid ones per code",
          "[chukan][generator]") {
    std::map<std::string, int> valid_kinds;
    std::map<std::string, int> invalid_codes;
    for (const auto& g : ChukanFiles::get().all()) {
        INFO(g.file);
        if (g.verdict == "accept") {
            CHECK(g.codes.empty());
            ++valid_kinds[g.kind];
            continue;
        }
        REQUIRE(g.codes.size() == 1);
        CHECK(g.file.starts_with(*g.codes.begin() + "-"));
        CHECK(g.file.ends_with("-" + g.kind + ".csv"));
        ++invalid_codes[*g.codes.begin()];
    }
    CHECK(valid_kinds.size() == 6);
    for (const auto& [kind, n] : valid_kinds)
        CHECK(n == kValidPerKind);
    const std::set<std::string> all_codes{"E-CHUKAN-ENCODING", "E-CHUKAN-HEADER", "E-CHUKAN-KIND",
                                          "E-CHUKAN-TRAILER",  "E-CHUKAN-COUNT",  "E-CHUKAN-FIELD",
                                          "E-CHUKAN-MYNUMBER", "E-CHUKAN-LIMIT"};
    for (const auto& c : all_codes) {
        INFO(c);
        CHECK(invalid_codes[c] >= 2);
    }
    CHECK(invalid_codes.size() == all_codes.size());
}

TEST_CASE("the sandboxed worker gives every generated file exactly its expected codes",
          "[chukan][worker]") {
    InspectWorker worker(real_worker());
    pid_t first_pid = -1;
    int multiple = 0;
    for (const auto& g : ChukanFiles::get().all()) {
        const auto in = inspected(worker.inspect_chukan(g.bytes, g.kind, ChukanLimits{}));
        const std::set<std::string> got = in.verdict.codes();
        INFO(g.file << ": " << g.description << "\n  expected: " << test::joined(g.codes)
                    << "\n  got:      " << test::joined(got) << test::reasons_text(in.verdict));
        CHECK(got == g.codes);
        CHECK(in.verdict.accepted() == (g.verdict == "accept"));
        if (g.verdict == "accept") {
            CHECK(in.records == g.records);
            CHECK(in.flags == g.flags);
            multiple += g.flags.empty() ? 0 : 1;
        }
        if (first_pid < 0)
            first_pid = worker.pid();
        CHECK(worker.pid() == first_pid);  // one worker for all of them
    }
    CHECK(multiple == kValidPerKind);  // every valid HONNIN-RES has 処理結果 2 records
}

TEST_CASE("one worker serves packages and 中間サーバー files alike", "[chukan][worker]") {
    InspectWorker worker(real_worker());
    const auto& file = ChukanFiles::get().all().front();
    REQUIRE(
        inspected(worker.inspect_chukan(file.bytes, file.kind, ChukanLimits{})).verdict.accepted());
    const pid_t pid = worker.pid();
    const auto package = worker.inspect("not a zip", Options{});
    REQUIRE(std::holds_alternative<Inspection>(package));
    CHECK(std::get<Inspection>(package).verdict.has("E-ZIP-CORRUPT"));
    CHECK(inspected(worker.inspect_chukan(file.bytes, "SHOKAI-RES", ChukanLimits{}))
              .verdict.has("E-CHUKAN-KIND"));
    CHECK(worker.pid() == pid);
}

TEST_CASE("a worker that knows only packages refuses a 中間サーバー file", "[chukan][worker]") {
    WorkerSettings s;
    s.program = test::program("fake_inspect_worker");
    InspectWorker worker(s);
    const auto result = worker.inspect_chukan("H,HONNIN-RES\r\n", "HONNIN-RES", ChukanLimits{});
    REQUIRE(std::holds_alternative<Failure>(result));
    CHECK(std::get<Failure>(result).reason == "the inspection worker could not read the request");
    // The failure ended that worker; the next request starts a new one.
    CHECK(std::holds_alternative<Inspection>(worker.inspect("ACCEPT", Options{})));
}

TEST_CASE("verdicts on generated files carry no number or text copied from a file",
          "[chukan][privacy]") {
    const std::string sources = test::inspector_sources();
    REQUIRE(sources.find("要求レコード番号") != std::string::npos);
    InspectWorker worker(real_worker());
    std::size_t reasons = 0;
    for (const auto& g : ChukanFiles::get().all()) {
        const auto in = inspected(worker.inspect_chukan(g.bytes, g.kind, ChukanLimits{}));
        for (const auto& r : in.verdict.reasons()) {
            ++reasons;
            INFO(g.file << ": " << r.code << " at " << r.where << ": " << r.detail);
            CHECK_FALSE(test::has_long_digit_run(r.where));
            CHECK_FALSE(test::has_long_digit_run(r.detail));
            for (const auto& run : test::non_ascii_runs(r.where + " " + r.detail))
                CHECK(sources.find(run) != std::string::npos);
        }
        for (const auto& f : in.flags)
            CHECK_FALSE(test::has_long_digit_run(f));
    }
    CHECK(reasons >= 16);
}

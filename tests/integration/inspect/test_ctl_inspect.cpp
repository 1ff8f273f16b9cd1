// `sekishoctl inspect` as operators run it: real binary, real worker, generated packages.

#include <catch2/catch.hpp>

#include <filesystem>

#include "daemon/inspect/verdict.hpp"
#include "tests/integration/inspect/filings_fixture.hpp"

using namespace sekisho;
using namespace sekisho::test;

namespace {

std::filesystem::path inspect_config(const FilingsFixture& f) {
    const auto path = f.dir / "sekishod.toml";
    write_file(path, "[inspect]\ntrust_anchors = [\"" + (f.ca() / "trust-anchor.pem").string() +
                         "\"]\ncrl_files = [\"" + (f.ca() / "crl.pem").string() + "\"]\n");
    return path;
}

Completed ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{program("sekishoctl").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

}  // namespace

TEST_CASE("sekishoctl inspect accepts valid and rejects invalid packages with the sidecar's codes",
          "[ctl][filings]") {
    FilingsFixture f(2);
    const std::string config = inspect_config(f).string();
    int valid = 0;
    int invalid = 0;
    for (const auto& p : f.packages) {
        INFO(p.zip.filename().string());
        const auto r = ctl(
            {"-c", config, "inspect", "--json", "--auth-method", p.auth_method, p.zip.string()});
        INFO(r.err);
        CHECK(r.exit_code == (p.verdict == "accept" ? 0 : 3));
        const auto verdict = inspect::verdict_from_json(r.out);
        CHECK(verdict.codes() == p.codes);
        (p.verdict == "accept" ? valid : invalid) += 1;
    }
    CHECK(valid >= 2);
    CHECK(invalid >= 10);
}

TEST_CASE("sekishoctl inspect prints a summary for people", "[ctl][filings]") {
    FilingsFixture f(1);
    const std::string config = inspect_config(f).string();
    for (const auto& p : f.packages) {
        const auto r =
            ctl({"inspect", "-c", config, "--auth-method", p.auth_method, p.zip.string()});
        if (p.verdict == "accept") {
            CHECK(r.exit_code == 0);
            CHECK_THAT(r.out, Catch::StartsWith(p.zip.string() + ": accepted ("));
        } else {
            CHECK(r.exit_code == 3);
            CHECK_THAT(r.out, Catch::StartsWith(p.zip.string() + ": rejected\n  E-"));
            for (const auto& code : p.codes)
                CHECK_THAT(r.out, Catch::Contains("  " + code + "  "));
        }
    }
}

TEST_CASE("sekishoctl inspect exits 1 when it cannot inspect", "[ctl]") {
    FilingsFixture f(1);
    const std::string config = inspect_config(f).string();
    const auto package = f.packages.front().zip.string();

    auto r = ctl({"-c", config, "inspect", (f.dir / "missing.zip").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot open"));
    CHECK(r.out.empty());

    r = ctl({"-c", config, "inspect", f.dir.path().string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("not a regular file"));

    write_file(f.dir / "bad.toml", "[inspect]\nno_such_key = 1\n");
    r = ctl({"-c", (f.dir / "bad.toml").string(), "inspect", package});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("inspect.no_such_key"));

    // A sekishoctl with no worker beside it (and none installed) cannot inspect.
    const auto lonely = f.dir / "lonely-sekishoctl";
    std::filesystem::copy_file(program("sekishoctl"), lonely);
    std::filesystem::permissions(lonely, std::filesystem::perms::owner_all);
    REQUIRE_FALSE(std::filesystem::exists("/usr/libexec/sekisho/sekisho-inspect-worker"));
    r = run({lonely.string(), "-c", config, "inspect", package});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("could not inspect") &&
                          Catch::Contains("sekisho-inspect-worker not found"));
}

TEST_CASE("sekishoctl inspect usage errors exit 2", "[ctl]") {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"inspect"},
             {"inspect", "a.zip", "b.zip"},
             {"inspect", "--auth-method", "password", "a.zip"},
             {"inspect", "--no-such-flag", "a.zip"},
             {"-c", "x.toml", "inspect", "-c", "y.toml", "a.zip"}}) {
        const auto r = ctl(args);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains("Usage: sekishoctl"));
        CHECK(r.out.empty());
    }
    const auto help = ctl({"inspect", "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("--auth-method"));
}

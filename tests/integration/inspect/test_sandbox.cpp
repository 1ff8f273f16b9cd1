#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho::test;

namespace {

// "name allowed" / "name refused REASON" lines of sandbox_probe, by name.
std::map<std::string, std::string> probe(const std::vector<std::string>& flags,
                                         const TempDir& dir) {
    write_file(dir / "readable", "public");
    std::vector<std::string> argv{program("sandbox_probe").string()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back((dir / "written").string());
    argv.push_back((dir / "readable").string());
    const Completed r = run(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::map<std::string, std::string> out;
    std::istringstream lines(r.out);
    std::string name;
    std::string rest;
    while (lines >> name && std::getline(lines, rest))
        out[name] = rest.empty() ? rest : rest.substr(1);
    REQUIRE(out.count("done") == 1);
    return out;
}

}  // namespace

TEST_CASE("without the sandbox the probe can do everything it tries", "[sandbox]") {
    TempDir dir;
    const auto seen = probe({"--no-sandbox"}, dir);
    for (const char* name :
         {"inherited-fd", "kept-socket", "other-socket", "socket", "socket-unix", "socketpair",
          "open-write", "open-read", "stat-path", "fstat", "kill-parent", "make-dumpable", "fork"})
        CHECK(seen.at(name) == "allowed");
    CHECK(seen.count("execve") == 0);  // it ran /bin/true instead of reporting
    CHECK(std::filesystem::exists(dir / "written"));
}

TEST_CASE("the sandbox refuses network, files, processes and new limits", "[sandbox]") {
    TempDir dir;
    const auto seen = probe({}, dir);
    CHECK(seen.at("kept-socket") == "allowed");
    CHECK(seen.at("fstat") == "allowed");
    CHECK(seen.at("inherited-fd") == "refused Bad file descriptor");
    CHECK(seen.at("other-socket") == "refused Bad file descriptor");
    for (const char* name :
         {"socket", "socket-unix", "socketpair", "open-write", "open-read", "stat-path",
          "kill-parent", "make-dumpable", "fork", "setrlimit", "execve"}) {
        INFO(name);
        CHECK(seen.at(name) == "refused EPERM");
    }
    CHECK_FALSE(std::filesystem::exists(dir / "written"));
}

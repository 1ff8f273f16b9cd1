// sekisho-sim: simulators of the outside world and test data generators, for tests, the
// demo and benchmarks. Never installed on a gateway.
//   sekisho-sim SUBCOMMAND [OPTIONS]      (sekisho-sim --help lists them)

#include <cstring>
#include <iostream>
#include <string_view>
#include <vector>

#include "common/version.hpp"

int chukan_sim_main(int, char**);
int mynaportal_sim_main(int, char**);

int make_filings_main(int, char**);
int make_chukan_files_main(int, char**);

namespace {

struct Subcommand {
    const char* name;
    const char* summary;
    int (*main)(int argc, char** argv);  // argv[0] is the subcommand's name
};

// Each subcommand adds one line here (and its library to tests/sim/CMakeLists.txt).
const std::vector<Subcommand> kSubcommands{
    // SUBCOMMANDS
    {"chukan", "simulate the 中間サーバー file exchange (results and requests) over mutual TLS",
     chukan_sim_main},
    {"make-chukan-files",
     "generate 中間サーバー files of the six kinds (valid, and with --invalid per reason code)",
     make_chukan_files_main},
    {"make-filings", "generate filing packages (valid, and with --invalid one per reason code)",
     make_filings_main},
    {"mynaportal", "simulate the Mynaportal filing download API over mutual TLS",
     mynaportal_sim_main},
};

int usage(std::ostream& out) {
    out << "Usage: sekisho-sim SUBCOMMAND [OPTIONS]\n\nSubcommands:\n";
    for (const auto& s : kSubcommands)
        out << "  " << s.name << "  " << s.summary << "\n";
    out << "\nsekisho-sim SUBCOMMAND --help describes each.\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        return usage(std::cerr);
    const std::string_view cmd = argv[1];
    if (cmd == "--version") {
        std::cout << "sekisho-sim " << sekisho::kVersion << "\n";
        return 0;
    }
    if (cmd == "--help" || cmd == "-h") {
        usage(std::cout);
        return 0;
    }
    for (const auto& s : kSubcommands) {
        if (cmd == s.name)
            return s.main(argc - 1, argv + 1);
    }
    std::cerr << "sekisho-sim: unknown subcommand " << cmd << "\n";
    return usage(std::cerr);
}

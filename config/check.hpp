#pragma once
// What every program's --check-config prints: the errors (file:line:column: key: message)
// and notes on standard error, "configuration OK" on standard output when there are no
// errors. Returns the exit code, 0 or 1.

#include <boost/program_options.hpp>
#include <optional>

#include "config/load.hpp"

namespace sekisho::config {

void print_problems(const LoadResult& result);
int report_check(const LoadResult& result);

}  // namespace sekisho::config

namespace sekisho::config {

// The command line every program shares: -c FILE (default `default_config`),
// --check-config, --version and --help, after the program's own `options` (whose caption
// is the usage line). Returns the exit code when the program is done already (help or
// version 0, a usage error 2, said on stderr), nullopt when it goes on with `vm`.
std::optional<int> parse_command_line(int argc, char** argv, const char* name,
                                      const char* default_config,
                                      boost::program_options::options_description& options,
                                      boost::program_options::variables_map& vm);

// The command line shared by the programs whose main work arrives in later versions
// (sekishoctl, sekisho-send, sekisho-recv, sekisho-sim): --help, --version,
// -c FILE [--check-config]. Anything else is refused with `unavailable` and exit 1.
struct PendingProgram {
    const char* name;
    Program program;
    const char* default_config;
    const char* unavailable;
};
int pending_program_main(int argc, char** argv, const PendingProgram& info);

}  // namespace sekisho::config

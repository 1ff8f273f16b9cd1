#pragma once
// What every program's --check-config prints: the errors (file:line:column: key: message)
// and notes on standard error, "configuration OK" on standard output when there are no
// errors. Returns the exit code, 0 or 1.

#include "config/load.hpp"

namespace sekisho::config {

void print_problems(const LoadResult& result);
int report_check(const LoadResult& result);

}  // namespace sekisho::config

namespace sekisho::config {

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

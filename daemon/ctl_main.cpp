// sekishoctl: the operators' and administrators' client of sekishod's control socket.
// This version validates the configuration it would use; the subcommands of DESIGN.md
// need the control socket, which comes with the operator-workflow release.

#include "config/check.hpp"

int main(int argc, char** argv) {
    return sekisho::config::pending_program_main(
        argc, argv,
        {"sekishoctl", sekisho::config::Program::control, "/etc/sekisho/sekishod.toml",
         "subcommands (status, list, release, ...) need sekishod's control socket, which this "
         "version does not serve yet"});
}

// sekisho-sim: simulators of the external services for tests and the demo. This version
// carries no simulator yet; the Mynaportal and 中間サーバー simulators come with their
// adapters.

#include "config/check.hpp"

int main(int argc, char** argv) {
    return sekisho::config::pending_program_main(
        argc, argv,
        {"sekisho-sim", sekisho::config::Program::control, "/etc/sekisho/sekishod.toml",
         "no simulator is available in this version"});
}

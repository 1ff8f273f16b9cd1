// sekisho-send: the one-way sender. This version validates its configuration
// ([oneway], [keys] oneway_key); the protocol comes with the one-way release.

#include "config/check.hpp"

int main(int argc, char** argv) {
    return sekisho::config::pending_program_main(
        argc, argv,
        {"sekisho-send", sekisho::config::Program::sender, "/etc/sekisho/sekishod.toml",
         "sending is not available in this version (the one-way protocol is not built yet)"});
}

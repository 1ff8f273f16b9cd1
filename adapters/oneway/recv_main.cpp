// sekisho-recv: the one-way receiver on the core side. This version validates its
// configuration ([receiver], [keys] oneway_key); receiving comes with the one-way release.

#include "config/check.hpp"

int main(int argc, char** argv) {
    return sekisho::config::pending_program_main(
        argc, argv,
        {"sekisho-recv", sekisho::config::Program::receiver, "/etc/sekisho/sekisho-recv.toml",
         "receiving is not available in this version (the one-way protocol is not built yet)"});
}

#pragma once
// A private directory with a working sekishod configuration: state, metrics and keys
// inside the directory, the daemon running as the test user.

#include <string>

#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

struct DaemonFixture {
    TempDir dir;
    std::filesystem::path config = dir / "sekishod.toml";
    std::filesystem::path metrics = dir / "sekishod.prom";
    std::filesystem::path state = dir / "state";

    DaemonFixture() {
        write_file(dir / "queue.key", random_key(), 0600);
        write_file(dir / "audit.key", random_key(), 0600);
        write_config();
    }

    std::string config_text(const std::string& extra = "") const {
        return "[daemon]\nuser = \"" + current_user() + "\"\nstate_dir = \"" + state.string() +
               "\"\nmetrics_file = \"" + metrics.string() + "\"\ncontrol_socket = \"" +
               (dir / "control.sock").string() + "\"\n" + extra + "[keys]\nqueue_key = \"" +
               (dir / "queue.key").string() + "\"\naudit_key = \"" + (dir / "audit.key").string() +
               "\"\n";
    }

    void write_config(const std::string& extra = "") const {
        write_file(config, config_text(extra), 0640);
    }
};

}  // namespace sekisho::test

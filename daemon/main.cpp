// sekishod: the Sekisho gateway daemon.

#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>

#include "common/log.hpp"
#include "common/version.hpp"
#include "config/check.hpp"
#include "config/load.hpp"
#include "daemon/daemon.hpp"
#include "daemon/systemd_dropin.hpp"

namespace po = boost::program_options;
using namespace sekisho;

namespace {

constexpr const char* kDefaultConfig = "/etc/sekisho/sekishod.toml";

}  // namespace

int main(int argc, char** argv) {
    po::options_description opts(
        "Usage: sekishod [-c FILE] [--check-config | --print-systemd-dropin]");
    opts.add_options()("print-systemd-dropin",
                       "print the site-specific systemd drop-in for sekishod.service");
    po::variables_map vm;
    if (const auto done =
            config::parse_command_line(argc, argv, "sekishod", kDefaultConfig, opts, vm))
        return *done;
    const config::Path file = vm["config"].as<std::string>();
    auto result = config::load_settings(file, config::Program::daemon);
    if (vm.count("check-config"))
        return config::report_check(result);
    if (vm.count("print-systemd-dropin")) {
        config::print_problems(result);
        if (!result.ok())
            return daemon::kExitFailure;
        try {
            std::cout << daemon::systemd_dropin(*result.settings);
        } catch (const std::exception& e) {
            std::cerr << "sekishod: " << e.what() << "\n";
            return daemon::kExitFailure;
        }
        return daemon::kExitOk;
    }
    log::init("sekishod");
    // A helper that dies (sekisho-send, the inspection worker) must be an error on the
    // write to it, never a SIGPIPE that ends the daemon without a word.
    ::signal(SIGPIPE, SIG_IGN);
    if (!result.ok()) {
        for (const auto& p : result.errors)
            log::error("configuration error", {{"problem", p.str()}});
        log::critical("cannot start: the configuration has errors");
        return daemon::kExitFailure;
    }
    log::set_threshold(result.settings->daemon.log_level);
    daemon::Daemon d(file, std::move(*result.settings));
    return d.run();
}

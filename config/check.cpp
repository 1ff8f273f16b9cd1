#include "config/check.hpp"

#include <iostream>

namespace sekisho::config {

void print_problems(const LoadResult& result) {
    for (const auto& p : result.errors)
        std::cerr << p.str() << "\n";
    for (const auto& n : result.notes)
        std::cerr << "note: " << n << "\n";
}

int report_check(const LoadResult& result) {
    print_problems(result);
    if (!result.ok())
        return 1;
    std::cout << "configuration OK\n";
    return 0;
}

}  // namespace sekisho::config

#include <boost/program_options.hpp>

#include "common/version.hpp"

namespace sekisho::config {

std::optional<int> parse_command_line(int argc, char** argv, const char* name,
                                      const char* default_config,
                                      boost::program_options::options_description& options,
                                      boost::program_options::variables_map& vm) {
    namespace po = boost::program_options;
    options.add_options()("config,c", po::value<std::string>()->default_value(default_config),
                          "configuration file")(
        "check-config", "validate the configuration, print the result, exit 0 (OK) or 1")(
        "version", "print the version and exit")("help,h", "print this help and exit");
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << name << ": " << e.what() << "\n" << options;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << options;
        return 0;
    }
    if (vm.count("version")) {
        std::cout << name << " " << kVersion << "\n";
        return 0;
    }
    return std::nullopt;
}

int pending_program_main(int argc, char** argv, const PendingProgram& info) {
    boost::program_options::options_description opts(std::string("Usage: ") + info.name +
                                                     " [-c FILE] [--check-config]");
    boost::program_options::variables_map vm;
    if (const auto done = parse_command_line(argc, argv, info.name, info.default_config, opts, vm))
        return *done;
    const auto result = load_settings(vm["config"].as<std::string>(), info.program);
    if (vm.count("check-config"))
        return report_check(result);
    std::cerr << info.name << ": " << info.unavailable << "\n";
    return 1;
}

}  // namespace sekisho::config

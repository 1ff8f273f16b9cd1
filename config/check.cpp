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

int pending_program_main(int argc, char** argv, const PendingProgram& info) {
    namespace po = boost::program_options;
    po::options_description opts(std::string("Usage: ") + info.name +
                                 " [-c FILE] [--check-config]");
    opts.add_options()("config,c", po::value<std::string>()->default_value(info.default_config),
                       "configuration file")("check-config",
                                             "validate the configuration and exit 0 (OK) or 1")(
        "version", "print the version and exit")("help,h", "print this help and exit");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << info.name << ": " << e.what() << "\n" << opts;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    if (vm.count("version")) {
        std::cout << info.name << " " << kVersion << "\n";
        return 0;
    }
    const auto result = load_settings(vm["config"].as<std::string>(), info.program);
    if (vm.count("check-config"))
        return report_check(result);
    std::cerr << info.name << ": " << info.unavailable << "\n";
    return 1;
}

}  // namespace sekisho::config

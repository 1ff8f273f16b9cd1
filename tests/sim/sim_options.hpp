#pragma once
// The command line of a sekisho-sim subcommand: --help prints the options and stops with
// 0; a usage error prints it with the options and stops with 2.

#include <boost/program_options.hpp>
#include <functional>
#include <iostream>
#include <optional>
#include <string_view>

namespace sekisho::sim {

// nullopt: go on with the parsed values; else the exit code to stop with. `check` throws
// boost::program_options::error for values that parse but do not make sense.
inline std::optional<int> parse_sim_options(int argc, char** argv,
                                            const boost::program_options::options_description& desc,
                                            std::string_view command,
                                            const std::function<void()>& check = {}) {
    namespace po = boost::program_options;
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        if (vm.count("help") != 0) {
            std::cout << desc << "\n";
            return 0;
        }
        po::notify(vm);
        if (check)
            check();
    } catch (const po::error& e) {
        std::cerr << "sekisho-sim " << command << ": " << e.what() << "\n\n" << desc << "\n";
        return 2;
    }
    return std::nullopt;
}

}  // namespace sekisho::sim

#include "daemon/ctl/inspect_command.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "config/load.hpp"
#include "config/settings.hpp"
#include "daemon/ctl/exit_codes.hpp"
#include "daemon/inspect/options.hpp"
#include "daemon/inspect/worker_client.hpp"

namespace sekisho::ctl {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr const char* kAbout =
    "Usage: sekishoctl [-c FILE] inspect [-c FILE] [--json] "
    "[--auth-method certificate|gbizid] PACKAGE.zip\n"
    "\n"
    "Inspects a filing package offline, in the same sandboxed worker as sekishod, with the\n"
    "[inspect] settings of the configuration file (default /etc/sekisho/sekishod.toml when\n"
    "it exists; otherwise built-in defaults without trust anchors).\n"
    "\n"
    "Exit status: 0 accepted, 3 rejected, 1 could not inspect, 2 usage error.\n";

struct Request {
    std::string package;
    std::optional<std::string> config;
    inspect::AuthMethod auth = inspect::AuthMethod::certificate;
    bool json = false;
};

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

po::options_description describe() {
    po::options_description opts("Options");
    opts.add_options()("config,c", po::value<std::string>()->value_name("FILE"),
                       "configuration file for the [inspect] settings")(
        "json", "print the verdict as JSON")(
        "auth-method", po::value<std::string>()->default_value("certificate")->value_name("M"),
        "how the filer authenticated: certificate (XML signature required) or gbizid")(
        "help,h", "print this help and exit");
    return opts;
}

// nullopt when --help was answered.
std::optional<Request> parse(const std::vector<std::string>& args,
                             const std::optional<std::string>& global_config,
                             const po::options_description& opts, std::ostream& out) {
    po::options_description hidden;
    hidden.add_options()("package", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description positional;
    positional.add("package", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    if (vm.count("help")) {
        out << kAbout << "\n" << opts;
        return std::nullopt;
    }
    Request r;
    if (vm.count("package") == 0 || vm["package"].as<std::vector<std::string>>().size() != 1)
        throw UsageError("give exactly one PACKAGE.zip");
    r.package = vm["package"].as<std::vector<std::string>>().front();
    if (vm.count("config") && global_config)
        throw UsageError("-c given twice");
    r.config = vm.count("config") ? std::optional(vm["config"].as<std::string>()) : global_config;
    const auto& method = vm["auth-method"].as<std::string>();
    if (method == "gbizid")
        r.auth = inspect::AuthMethod::gbizid;
    else if (method != "certificate")
        throw UsageError("--auth-method must be certificate or gbizid");
    r.json = vm.count("json") != 0;
    return r;
}

config::InspectSettings load_settings(const Request& r, std::ostream& err) {
    std::optional<std::string> file = r.config;
    if (!file && fs::exists(kDefaultConfig))
        file = kDefaultConfig;
    if (!file) {
        err << "sekishoctl: inspect: no configuration (" << kDefaultConfig
            << " does not exist): default limits, no trust anchors\n";
        return {};
    }
    const auto loaded = config::load_settings(*file, config::Program::control);
    if (!loaded.ok()) {
        std::string problems;
        for (const auto& p : loaded.errors)
            problems += "\n  " + p.str();
        throw std::runtime_error("configuration " + *file + " has errors:" + problems);
    }
    return loaded.settings->inspect;
}

// At most max_package + 1 bytes: enough for the inspector to see that it is too large.
std::string read_package(const std::string& path, std::uint64_t max_package) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    std::string bytes;
    try {
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
            throw std::runtime_error(path + " is not a regular file");
        const auto want = static_cast<std::size_t>(
            std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), max_package) + 1);
        bytes.resize(want);
        std::size_t got = 0;
        while (got < want) {
            const ssize_t n = ::read(fd, bytes.data() + got, want - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
            if (n == 0)
                break;
            got += static_cast<std::size_t>(n);
        }
        bytes.resize(got);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return bytes;
}

void print_text(const std::string& package, const inspect::Inspection& in, std::ostream& out) {
    if (in.verdict.accepted()) {
        out << package << ": accepted (" << in.entries.size() << " files)\n";
        return;
    }
    out << package << ": rejected\n";
    for (const auto& r : in.verdict.reasons())
        out << "  " << r.code << "  " << r.where << ": " << r.detail << "\n";
}

int run(const Request& r, std::ostream& out, std::ostream& err) {
    const config::InspectSettings settings = load_settings(r, err);
    const auto options = inspect::options_from_settings(settings, r.auth, std::time(nullptr));
    const std::string bytes = read_package(r.package, options.limits.max_package);
    inspect::WorkerSettings worker_settings;
    worker_settings.timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(settings.worker_timeout);
    worker_settings.memory_limit = settings.worker_memory;
    inspect::InspectWorker worker(worker_settings);
    const auto result = worker.inspect(bytes, options);
    if (const auto* f = std::get_if<inspect::Failure>(&result)) {
        err << "sekishoctl: inspect: could not inspect " << r.package << ": " << f->reason << "\n";
        return kExitFailure;
    }
    const auto& in = std::get<inspect::Inspection>(result);
    if (r.json)
        out << inspect::to_json(in.verdict) << "\n";
    else
        print_text(r.package, in, out);
    return in.verdict.accepted() ? kExitOk : kExitRejected;
}

}  // namespace

int inspect_command(const std::vector<std::string>& args,
                    const std::optional<std::string>& global_config, std::ostream& out,
                    std::ostream& err) {
    const auto opts = describe();
    std::optional<Request> request;
    try {
        request = parse(args, global_config, opts, out);
    } catch (const UsageError& e) {
        err << "sekishoctl: inspect: " << e.what() << "\n" << kAbout << "\n" << opts;
        return kExitUsage;
    }
    if (!request)
        return kExitOk;
    try {
        return run(*request, out, err);
    } catch (const std::exception& e) {
        err << "sekishoctl: inspect: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace sekisho::ctl

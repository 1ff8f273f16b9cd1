// sekishoctl: the operators', approvers', administrators' and auditors' client of sekishod's
// control socket (DESIGN.md), plus two commands that work without the daemon: `inspect`
// (the sandboxed inspector, offline) and `mynaportal change-password`.
//
// Command line: global options (-c FILE, --json, --check-config, --version, --help) come
// before the command words; everything from the first word on belongs to the command,
// which has its own options (and takes -c FILE and --json there too).

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/program_options.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.hpp"
#include "common/version.hpp"
#include "config/check.hpp"
#include "daemon/ctl/change_password.hpp"
#include "daemon/ctl/exit_codes.hpp"
#include "daemon/ctl/inspect_command.hpp"
#include "daemon/ctl/socket_commands.hpp"

namespace po = boost::program_options;
using namespace sekisho;
using namespace sekisho::ctl;

namespace {

constexpr const char* kName = "sekishoctl";

constexpr const char* kUsage =
    "Usage: sekishoctl [-c FILE] [--json] COMMAND [ARGS]\n"
    "       sekishoctl [-c FILE] --check-config\n"
    "\n"
    "Commands through sekishod's control socket (your role in [roles] decides which):\n"
    "  status                                 queue, sources, scanner, certificates, sender\n"
    "  list [--state STATE] [--source SOURCE] items (purged ones only with --state purged)\n"
    "  show ID... [--content]                 an item; --content decrypts its summary (audited)\n"
    "  release ID...|ALL|-                    staged/held -> released (or awaiting approval)\n"
    "  approve ID...|-                        approve a release someone else asked for\n"
    "  reject ID...|ALL|- --reason TEXT       -> rejected, E-OPERATOR, a returned notice\n"
    "  hold ID...|ALL|-                       staged -> held\n"
    "  requeue ID...|ALL|-                    staged/held -> inspected and scanned again\n"
    "  submit --kind KIND FILE [--no-wait]    a request file for the chukan server (operators):\n"
    "      sealed, inspected and scanned, then released like any item and uploaded;\n"
    "      exit 0 staged, 3 rejected, 1 held or undecided (KIND: SHIKAKU-REG-REQ,\n"
    "      HONNIN-REQ, SHOKAI-REQ)\n"
    "  audit verify | audit export [--since TIME] [--until TIME]\n"
    "  certs list | certs rotate --use USE --cert F --key F [--chain F] | certs rollback --use "
    "USE\n"
    "  keys rotate                            new working keys for the queue and the audit log\n"
    "ALL (capitals) takes every item the command applies to; - reads ids from standard input.\n"
    "\n"
    "Commands without the daemon:\n"
    "  inspect [--json] [--auth-method certificate|gbizid] PACKAGE.zip\n"
    "      inspect a filing package offline in the sandboxed worker; exit 0 accepted,\n"
    "      3 rejected, 1 could not inspect (see: sekishoctl inspect --help)\n"
    "  mynaportal change-password [--current-password-file FILE]\n"
    "      change the Mynaportal password; the new one is read from standard input\n"
    "\n"
    "Exit status: 0 done, 1 refused or failed, 2 usage error, 3 inspected and rejected.\n";

constexpr const char* kChangePasswordAbout =
    "Usage: sekishoctl [-c FILE] mynaportal change-password [--current-password-file FILE]\n"
    "\n"
    "Changes the Mynaportal password of mynaportal.user_id and stores the new one where\n"
    "sekishod reads it (mynaportal.password_credential). Run it as root or as the service\n"
    "user (daemon.user).\n"
    "\n"
    "The new password is read from standard input: one line (its newline removed), not\n"
    "empty, at most 1024 bytes, no control characters, not the current one. On a terminal\n"
    "it is asked twice without echo. The current password is read from the password\n"
    "credential: an absolute path, or a systemd credential name under\n"
    "$CREDENTIALS_DIRECTORY, or else from --current-password-file.\n"
    "\n"
    "The command logs in, changes the password (POST /v1/auth/password) and logs out.\n"
    "When login answers 403 password-expired, it sends the change without a session\n"
    "(user_id in the body, no Bearer token): spec/mynaportal-api.md does not define this\n"
    "form, so it works only with a service that accepts it (the project's simulator does).\n"
    "\n"
    "Then a path credential is replaced atomically (same owner and mode) and you run\n"
    "`systemctl reload sekishod`. For a credential name, the command prints the\n"
    "systemd-creds command that stores the new password, and the restart of sekishod.\n"
    "\n"
    "Exit status: 0 changed, 1 refused or failed (nothing changed unless the message says\n"
    "so), 2 usage error. No password is ever printed.\n";

// Where the command words start: argv items before it are global options. A word right
// after -c/--config (or an abbreviation of --config) is that option's value.
std::size_t command_start(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--")
            return i;
        const bool config_abbrev = a.size() > 3 && a.starts_with("--") &&
                                   a.find('=') == std::string::npos &&
                                   std::string_view("--config").starts_with(a);
        if (a == "-c" || config_abbrev) {
            ++i;
            continue;
        }
        if (a.size() > 1 && a.front() == '-')
            continue;
        return i;
    }
    return args.size();
}

int usage_error(const std::string& message, const po::options_description& opts,
                const char* usage) {
    std::cerr << kName << ": " << message << "\n" << usage << "\n" << opts;
    return kExitUsage;
}

int mynaportal_change_password(const std::vector<std::string>& args,
                               const std::optional<std::string>& global_config) {
    po::options_description opts("Options");
    opts.add_options()(
        "config,c", po::value<std::string>()->value_name("FILE"),
        (std::string("configuration file (default ") + kDefaultConfig + ")").c_str())(
        "current-password-file", po::value<std::string>()->value_name("FILE"),
        "the current password (a 0600 file), when password_credential is a systemd "
        "credential name and $CREDENTIALS_DIRECTORY is not set")("help,h",
                                                                 "print this help and exit");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(std::string("mynaportal change-password: ") + e.what(), opts,
                           kChangePasswordAbout);
    }
    if (vm.count("help")) {
        std::cout << kChangePasswordAbout << "\n" << opts;
        return kExitOk;
    }
    if (vm.count("config") && global_config) {
        return usage_error("mynaportal change-password: -c given twice", opts,
                           kChangePasswordAbout);
    }
    ctl::ChangePasswordArgs a;
    a.config_file = vm.count("config") ? vm["config"].as<std::string>()
                                       : global_config.value_or(kDefaultConfig);
    if (vm.count("current-password-file")) {
        const auto& file = vm["current-password-file"].as<std::string>();
        if (file.empty()) {
            return usage_error("mynaportal change-password: --current-password-file is empty", opts,
                               kChangePasswordAbout);
        }
        a.current_password_file = file;
    }
    a.input_fd = STDIN_FILENO;
    log::init(kName);
    log::set_threshold(log::Level::warning);
    return ctl::change_mynaportal_password(a, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> all(argv + 1, argv + argc);
    const std::size_t start = command_start(all);
    const std::vector<std::string> global(all.begin(), all.begin() + start);
    std::vector<std::string> command(all.begin() + start, all.end());
    if (!command.empty() && command.front() == "--")
        command.erase(command.begin());

    po::options_description opts("Options");
    opts.add_options()("config,c",
                       po::value<std::string>()->default_value(kDefaultConfig)->value_name("FILE"),
                       "configuration file")("json", "JSON Lines output")(
        "check-config", "validate the configuration and exit 0 (OK) or 1")(
        "version", "print the version and exit")("help,h", "print this help and exit");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(global).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(e.what(), opts, kUsage);
    }
    if (vm.count("help")) {
        std::cout << kUsage << "\n" << opts;
        return kExitOk;
    }
    if (vm.count("version")) {
        std::cout << kName << " " << kVersion << "\n";
        return kExitOk;
    }
    const std::string config_file = vm["config"].as<std::string>();
    if (command.empty()) {
        const auto result = config::load_settings(config_file, config::Program::control);
        if (vm.count("check-config"))
            return config::report_check(result);
        std::cerr << kName << ": which command?\n" << kUsage;
        return kExitUsage;
    }
    if (vm.count("check-config"))
        return usage_error("--check-config takes no command", opts, kUsage);

    const std::string& word = command.front();
    if (word == "mynaportal") {
        if (command.size() < 2 || command[1] != "change-password") {
            return usage_error(command.size() < 2
                                   ? "mynaportal: which? (mynaportal change-password)"
                                   : "mynaportal: unknown command \"" + command[1] +
                                         "\" (mynaportal change-password)",
                               opts, kUsage);
        }
        const std::vector<std::string> rest(command.begin() + 2, command.end());
        std::optional<std::string> global_config;
        if (!vm["config"].defaulted())
            global_config = config_file;
        return mynaportal_change_password(rest, global_config);
    }
    if (word == "inspect") {
        std::optional<std::string> global_config;
        if (!vm["config"].defaulted())
            global_config = config_file;
        const std::vector<std::string> rest(command.begin() + 1, command.end());
        return ctl::inspect_command(rest, global_config, std::cout, std::cerr);
    }
    if (ctl::is_socket_command(word)) {
        std::optional<std::string> global_config;
        if (!vm["config"].defaulted())
            global_config = config_file;
        log::init(kName);
        log::set_threshold(log::Level::warning);
        return ctl::socket_command(command, global_config, vm.count("json") > 0, std::cin,
                                   std::cout, std::cerr);
    }
    return usage_error("unknown command \"" + word + "\"", opts, kUsage);
}

#include "daemon/ctl/socket_commands.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string_view>

#include "common/time_format.hpp"
#include "common/unique_fd.hpp"
#include "config/load.hpp"
#include "daemon/ctl/control_client.hpp"
#include "daemon/ctl/exit_codes.hpp"
#include "daemon/ctl/output.hpp"
#include "daemon/ctl/submit_wait.hpp"

namespace sekisho::ctl {
namespace {

namespace po = boost::program_options;
namespace json = boost::json;

constexpr std::size_t kBatch = 10'000;
constexpr std::size_t kMaxStdinIds = 1'000'000;
constexpr std::size_t kMaxPemBytes = 64 * 1024;

constexpr std::array<std::string_view, 12> kWords{"status",  "list",   "show", "release",
                                                  "approve", "reject", "hold", "requeue",
                                                  "audit",   "certs",  "keys", "submit"};
constexpr int kDefaultWaitSeconds = 120;

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Parsed {
    std::string command;  // the request's command ("audit-verify", "show", …)
    json::object request;
    std::vector<std::string> ids;     // item commands: ids, "ALL" or "-"
    std::string file;                 // submit: the request file
    std::optional<int> wait_seconds;  // submit: how long to follow the item (none: --no-wait)
    bool json = false;
    std::optional<std::string> config;
};

po::options_description common_options() {
    po::options_description o("Options");
    o.add_options()("config,c", po::value<std::string>()->value_name("FILE"),
                    "configuration file (default /etc/sekisho/sekishod.toml)")(
        "json", "JSON Lines output")("help,h", "print this help and exit");
    return o;
}

std::string read_file_limited(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError(std::string("cannot read ") + what + " " + path);
    std::string text(kMaxPemBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxPemBytes)
        throw UsageError(std::string(what) + " " + path + " is larger than 64 KiB");
    return text;
}

std::int64_t time_arg(const std::string& text, const char* option) {
    if (const auto ms = parse_rfc3339(text))
        return *ms;
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%d");
    if (in.fail() || text.size() != 10)
        throw UsageError(std::string(option) + ": expected YYYY-MM-DD or an RFC 3339 time, got " +
                         text);
    tm.tm_isdst = -1;  // local midnight, like the dates of [roles]
    return static_cast<std::int64_t>(std::mktime(&tm)) * 1000;
}

// Splits "audit verify" style two-word commands into the request's command name.
std::string command_name(const std::vector<std::string>& args, std::size_t& consumed) {
    const std::string& w = args.front();
    consumed = 1;
    if (w == "audit" || w == "certs" || w == "keys") {
        if (args.size() < 2)
            throw UsageError(w + ": which? (see sekishoctl --help)");
        consumed = 2;
        const std::string name = w + "-" + args[1];
        static const std::array<std::string_view, 6> two{"audit-verify",   "audit-export",
                                                         "certs-list",     "certs-rotate",
                                                         "certs-rollback", "keys-rotate"};
        if (std::find(two.begin(), two.end(), name) == two.end())
            throw UsageError(w + ": unknown command \"" + args[1] + "\"");
        return name;
    }
    return w;
}

void add_command_options(const std::string& command, po::options_description& o) {
    if (command == "list") {
        o.add_options()("state", po::value<std::string>()->value_name("STATE"), "only this state")(
            "source", po::value<std::string>()->value_name("SOURCE"), "only this source");
    } else if (command == "show") {
        o.add_options()("content", "also decrypt the filing summary (operators; audited)");
    } else if (command == "reject") {
        o.add_options()("reason", po::value<std::string>()->value_name("TEXT"),
                        "why (sent to the filer with code E-OPERATOR; no 個人番号)");
    } else if (command == "audit-export") {
        o.add_options()("since", po::value<std::string>()->value_name("TIME"), "from this time")(
            "until", po::value<std::string>()->value_name("TIME"), "before this time");
    } else if (command == "certs-rotate") {
        o.add_options()("use", po::value<std::string>()->value_name("USE"),
                        "mynaportal-client or chukan-client")(
            "cert", po::value<std::string>()->value_name("FILE"), "the new certificate (PEM)")(
            "key", po::value<std::string>()->value_name("FILE"), "its private key (PEM)")(
            "chain", po::value<std::string>()->value_name("FILE"), "intermediate certificates");
    } else if (command == "certs-rollback") {
        o.add_options()("use", po::value<std::string>()->value_name("USE"),
                        "mynaportal-client or chukan-client");
    } else if (command == "submit") {
        o.add_options()("kind", po::value<std::string>()->value_name("KIND"),
                        "SHIKAKU-REG-REQ, HONNIN-REQ or SHOKAI-REQ")(
            "no-wait", "do not follow the inspection and scan")(
            "wait", po::value<int>()->value_name("SECONDS"),
            "follow the item at most this long (default 120)");
    }
}

bool takes_ids(const std::string& c) {
    return c == "show" || c == "release" || c == "approve" || c == "reject" || c == "hold" ||
           c == "requeue";
}

std::string need(const po::variables_map& vm, const char* key, const std::string& command) {
    if (!vm.count(key))
        throw UsageError(command + " needs --" + key);
    return vm[key].as<std::string>();
}

void fill_request(const std::string& command, const po::variables_map& vm, json::object& r) {
    const auto opt = [&](const char* key) { return vm.count(key) > 0; };
    if (command == "list") {
        if (opt("state"))
            r["state"] = vm["state"].as<std::string>();
        if (opt("source"))
            r["source"] = vm["source"].as<std::string>();
    } else if (command == "show") {
        r["content"] = opt("content");
    } else if (command == "reject") {
        r["reason"] = need(vm, "reason", command);
    } else if (command == "audit-export") {
        if (opt("since"))
            r["since_ms"] = time_arg(vm["since"].as<std::string>(), "--since");
        if (opt("until"))
            r["until_ms"] = time_arg(vm["until"].as<std::string>(), "--until");
    } else if (command == "certs-rotate") {
        r["use"] = need(vm, "use", command);
        r["cert"] = read_file_limited(need(vm, "cert", command), "certificate");
        r["key"] = read_file_limited(need(vm, "key", command), "key");
        if (opt("chain"))
            r["chain"] = read_file_limited(vm["chain"].as<std::string>(), "chain");
    } else if (command == "certs-rollback") {
        r["use"] = need(vm, "use", command);
    } else if (command == "submit") {
        r["kind"] = need(vm, "kind", command);
    }
}

Parsed parse(const std::vector<std::string>& args) {
    Parsed p;
    std::size_t consumed = 0;
    p.command = command_name(args, consumed);
    auto opts = common_options();
    add_command_options(p.command, opts);
    po::options_description hidden;
    hidden.add_options()("ids", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    if (takes_ids(p.command) || p.command == "submit")
        pos.add("ids", -1);
    const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(consumed),
                                        args.end());
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(rest).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(p.command + ": " + e.what());
    }
    if (vm.count("help"))
        throw UsageError("help");
    p.json = vm.count("json") > 0;
    if (vm.count("config"))
        p.config = vm["config"].as<std::string>();
    if (vm.count("ids"))
        p.ids = vm["ids"].as<std::vector<std::string>>();
    if (takes_ids(p.command) && p.ids.empty())
        throw UsageError(p.command + " needs item ids, ALL or - (ids on standard input)");
    if (p.command == "submit") {
        if (p.ids.size() != 1)
            throw UsageError("submit takes exactly one FILE");
        p.file = p.ids.front();
        p.ids.clear();
        if (!vm.count("no-wait"))
            p.wait_seconds = vm.count("wait") ? vm["wait"].as<int>() : kDefaultWaitSeconds;
        if (p.wait_seconds && (*p.wait_seconds < 1 || *p.wait_seconds > 3600))
            throw UsageError("--wait must be 1..3600 seconds");
    }
    p.request["command"] = p.command == "show" ? "show" : p.command;
    fill_request(p.command, vm, p.request);
    return p;
}

std::vector<std::string> ids_from(std::istream& in) {
    std::vector<std::string> ids;
    std::string line;
    while (std::getline(in, line)) {
        line.erase(0, line.find_first_not_of(" \t\r"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (line.empty() || line.front() == '#')
            continue;
        if (ids.size() >= kMaxStdinIds)
            throw UsageError("more than 1,000,000 ids on standard input");
        ids.push_back(line);
    }
    return ids;
}

std::filesystem::path socket_path(const std::optional<std::string>& config) {
    const std::string file = config.value_or(kDefaultConfig);
    auto loaded = config::load_settings(file, config::Program::control);
    if (!loaded.ok()) {
        std::string m = "cannot use the configuration " + file + ":";
        for (const auto& e : loaded.errors)
            m += "\n  " + e.str();
        throw std::runtime_error(m);
    }
    return loaded.settings->daemon.control_socket;
}

// Opens the operator's file here, with the operator's permissions, and passes it.
ControlAnswer submit(const std::filesystem::path& socket, const Parsed& p,
                     const ControlSinks& sinks) {
    // Non-blocking, so that a FIFO cannot hang the command; the daemon takes regular files
    // only and reads with pread, which the flag does not change.
    UniqueFd file(::open(p.file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!file)
        throw std::runtime_error("cannot open " + p.file + ": " + std::strerror(errno));
    return call_control(socket, p.request, sinks, file.get());
}

// Sends the request once, or in batches of ids; sums the counts of the batches.
ControlAnswer send(const std::filesystem::path& socket, Parsed& p, std::istream& in,
                   const ControlSinks& sinks) {
    if (p.command == "submit")
        return submit(socket, p, sinks);
    if (!takes_ids(p.command))
        return call_control(socket, p.request, sinks);
    std::vector<std::string> ids = p.ids;
    if (ids.size() == 1 && ids.front() == "ALL") {
        p.request["all"] = true;
        return call_control(socket, p.request, sinks);
    }
    if (ids.size() == 1 && ids.front() == "-")
        ids = ids_from(in);
    if (std::find(ids.begin(), ids.end(), "ALL") != ids.end() ||
        std::find(ids.begin(), ids.end(), "-") != ids.end())
        throw UsageError(p.command + ": ALL and - stand alone");
    ControlAnswer total{kExitOk, "", {}};
    for (std::size_t i = 0; i < ids.size() || i == 0; i += kBatch) {
        json::array batch;
        for (std::size_t j = i; j < std::min(ids.size(), i + kBatch); ++j)
            batch.emplace_back(ids[j]);
        p.request["ids"] = std::move(batch);
        auto a = call_control(socket, p.request, sinks);
        total.exit_code = std::max(total.exit_code, a.exit_code);
        add_counts(total.result, a.result);
        total.message = a.message;
        if (a.exit_code == kExitUsage || ids.empty())
            return a;
    }
    if (ids.size() > kBatch)
        total.message = summarize_counts(total.result);
    return total;
}

}  // namespace

bool is_socket_command(const std::string& word) {
    return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

int socket_command(const std::vector<std::string>& args, const std::optional<std::string>& config,
                   bool json, std::istream& in, std::ostream& out, std::ostream& err) {
    Parsed p;
    try {
        p = parse(args);
    } catch (const UsageError& e) {
        if (std::string_view(e.what()) == "help") {
            out << command_help(args.front()) << "\n";
            return kExitOk;
        }
        err << "sekishoctl: " << e.what() << "\n" << command_help(args.front()) << "\n";
        return kExitUsage;
    }
    if (p.config && config) {
        err << "sekishoctl: -c given twice\n";
        return kExitUsage;
    }
    p.json = p.json || json;
    Printer printer(p.command, p.json, out);
    try {
        const auto socket = socket_path(p.config ? p.config : config);
        std::string submitted;  // the new item of a submit
        const auto answer =
            send(socket, p, in,
                 {[&](const json::object& row) {
                      printer.row(row);
                      if (const auto* id = row.if_contains("id"); id && id->is_string())
                          submitted = id->get_string();
                  },
                  [&](std::string_view line) { out << line << "\n"; }});
        printer.finish(answer, err);
        if (p.command != "submit" || answer.exit_code != kExitOk || !p.wait_seconds)
            return answer.exit_code;
        return wait_for_verdict(socket, submitted, std::chrono::seconds(*p.wait_seconds), printer,
                                err);
    } catch (const UsageError& e) {
        err << "sekishoctl: " << e.what() << "\n";
        return kExitUsage;
    } catch (const std::exception& e) {
        err << "sekishoctl: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace sekisho::ctl

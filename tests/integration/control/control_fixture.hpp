#pragma once
// sekishod and sekishoctl with REAL different uids: a service user for the daemon and one
// system user per role, made for the test and deleted with it (also when a check fails).
// Names are unique to the test process: "skt" + pid + a letter. The daemon and every
// sekishoctl call run as their user through setpriv(1); authority comes from the kernel's
// SO_PEERCRED, so nothing here can fake it.
//
// Layout of the private directory (0755, so the users can reach the config and socket):
//   sekishod.toml           root 0644
//   queue.key, audit.key    service user 0600
//   state/                  service user 0700 (seeded before the daemon starts)
//   run/                    service user 0755: control.sock (0660, service group), metrics
//   cert.pem, key.pem       0644 junk for `certs rotate` (the client must be able to read them)

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

namespace control_detail {

inline std::filesystem::path tool(const std::string& name) {
    for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
        const std::filesystem::path p = std::filesystem::path(dir) / name;
        if (::access(p.c_str(), X_OK) == 0)
            return p;
    }
    throw std::runtime_error("no " + name + " on this machine");
}

inline void must_run(const std::vector<std::string>& argv) {
    const auto r = run(argv);
    if (r.exit_code != 0) {
        std::string cmd;
        for (const auto& a : argv)
            cmd += (cmd.empty() ? "" : " ") + a;
        throw std::runtime_error(cmd + " failed (exit " + std::to_string(r.exit_code) +
                                 "): " + r.err);
    }
}

inline bool user_exists(const std::string& name) {
    return ::getpwnam(name.c_str()) != nullptr;
}

inline bool group_exists(const std::string& name) {
    return ::getgrnam(name.c_str()) != nullptr;
}

// "skt<pid><letter>": the pid of the test process that made it.
inline std::optional<pid_t> owner_pid(const std::string& name, const std::string& stem) {
    if (name.size() < stem.size() + 2 || !name.starts_with(stem))
        return std::nullopt;
    const std::string digits = name.substr(stem.size(), name.size() - stem.size() - 1);
    const char letter = name.back();
    if (letter < 'a' || letter > 'z' || digits.empty() || digits.size() > 9)
        return std::nullopt;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    return static_cast<pid_t>(std::stol(digits));
}

// Users and groups of an earlier run of this test that died before cleaning up: made by
// this pid (a reused pid), or by a process that no longer exists.
inline void remove_leftovers(const std::string& stem) {
    const auto stale = [&](const std::string& name) {
        const auto pid = owner_pid(name, stem);
        return pid && (*pid == ::getpid() || (::kill(*pid, 0) != 0 && errno == ESRCH));
    };
    std::vector<std::string> users;
    std::vector<std::string> groups;
    ::setpwent();
    while (const passwd* pw = ::getpwent()) {
        if (stale(pw->pw_name))
            users.emplace_back(pw->pw_name);
    }
    ::endpwent();
    ::setgrent();
    while (const group* gr = ::getgrent()) {
        if (stale(gr->gr_name))
            groups.emplace_back(gr->gr_name);
    }
    ::endgrent();
    for (const auto& u : users)
        run({tool("userdel").string(), u});
    for (const auto& g : groups) {
        if (group_exists(g))
            run({tool("groupdel").string(), g});
    }
}

}  // namespace control_detail

// System users and groups that exist as long as the object does.
class SystemAccounts {
  public:
    explicit SystemAccounts(const std::string& stem) { control_detail::remove_leftovers(stem); }
    ~SystemAccounts() {
        for (auto it = users_.rbegin(); it != users_.rend(); ++it) {
            const auto r = run({control_detail::tool("userdel").string(), *it});
            if (r.exit_code != 0)
                std::cerr << "userdel " << *it << " failed: " << r.err << "\n";
        }
        for (auto it = groups_.rbegin(); it != groups_.rend(); ++it) {
            if (!control_detail::group_exists(*it))
                continue;  // userdel took the user's own group with it
            const auto r = run({control_detail::tool("groupdel").string(), *it});
            if (r.exit_code != 0)
                std::cerr << "groupdel " << *it << " failed: " << r.err << "\n";
        }
    }
    SystemAccounts(const SystemAccounts&) = delete;
    SystemAccounts& operator=(const SystemAccounts&) = delete;

    void add_group(const std::string& name) {
        groups_.push_back(name);  // before: a half-made group is removed too
        control_detail::must_run({control_detail::tool("groupadd").string(), "--system", name});
    }

    // A system user with no home and no login shell. With `primary_group` empty it gets a
    // group of its own name; `groups` are supplementary.
    Account add_user(const std::string& name, const std::string& primary_group,
                     const std::vector<std::string>& groups) {
        std::vector<std::string> argv{control_detail::tool("useradd").string(),
                                      "--system",
                                      "--no-create-home",
                                      "--home-dir",
                                      "/nonexistent",
                                      "--shell",
                                      "/usr/sbin/nologin"};
        if (primary_group.empty()) {
            argv.push_back("--user-group");
            groups_.push_back(name);
        } else {
            argv.insert(argv.end(), {"--gid", primary_group});
        }
        std::string list;
        for (const auto& g : groups)
            list += (list.empty() ? "" : ",") + g;
        if (!list.empty())
            argv.insert(argv.end(), {"--groups", list});
        argv.push_back(name);
        users_.push_back(name);
        control_detail::must_run(argv);
        const passwd* pw = ::getpwnam(name.c_str());
        if (pw == nullptr)
            throw std::runtime_error("useradd " + name + " made no passwd entry");
        return {name, pw->pw_uid, pw->pw_gid};
    }

  private:
    std::vector<std::string> users_;
    std::vector<std::string> groups_;
};

// One record of `sekishoctl --json audit export`.
struct AuditRow {
    std::int64_t seq = 0;
    std::optional<std::int64_t> actor_uid;
    std::string actor;
    std::string action;
    std::string item_id;
    boost::json::object details;

    std::string detail(const char* key) const {
        const auto* v = details.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
    }
};

inline std::vector<AuditRow> parse_audit(const std::string& jsonl) {
    std::vector<AuditRow> rows;
    std::istringstream in(jsonl);
    std::string line;
    while (std::getline(in, line)) {
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (ec || !v.is_object())
            throw std::runtime_error("audit export line is not JSON: " + line);
        const auto& o = v.get_object();
        if (!o.contains("seq"))
            continue;  // the closing {"records": N}
        AuditRow r;
        r.seq = o.at("seq").as_int64();
        if (o.at("actor_uid").is_int64())
            r.actor_uid = o.at("actor_uid").as_int64();
        r.actor = o.at("actor").as_string();
        r.action = o.at("action").as_string();
        r.item_id = o.at("item_id").as_string();
        if (const auto* d = o.if_contains("details"); d && d->is_object())
            r.details = d->get_object();
        rows.push_back(std::move(r));
    }
    return rows;
}

struct ControlOptions {
    bool require_approval = false;
    std::string approval_timeout = "1h";
    bool approver1_is_operator = false;  // approver1 also holds the operator role (user entry)
    int items = 8;                       // staged filings seeded before the daemon starts
};

// Every control request a test made, as the audit log must show it: (uid, command,
// result) → how many. Result: "refused" (action "control refused"), "ok" or "failed".
using AttemptCounts = std::map<std::tuple<std::int64_t, std::string, std::string>, int>;

class ControlFixture {
  public:
    explicit ControlFixture(ControlOptions options = {})
        : stem_("skt"), prefix_(stem_ + std::to_string(::getpid())), accounts_(stem_) {
        make_accounts();
        ::chmod(dir_.path().c_str(), 0755);
        write_files(options);
        seed(options.items);
        start_daemon();
    }

    ~ControlFixture() { stop_daemon(); }
    ControlFixture(const ControlFixture&) = delete;
    ControlFixture& operator=(const ControlFixture&) = delete;

    // The accounts: the service user (runs sekishod), one per role, and the odd ones.
    Account service;
    Account operator_user;  // operators = ["user:…"]
    Account approver1;  // approvers = ["group:…"] (and an operator with approver1_is_operator)
    Account approver2;  // approvers = ["group:…"]
    Account admin;
    Account auditor;
    Account expired;   // operator whose valid_until is past
    Account not_yet;   // operator whose valid_from is in the future
    Account no_role;   // in the service group, in no role
    Account outsider;  // not in the service group: the socket's mode keeps it out
    std::string approvers_group;

    const std::filesystem::path& dir() const { return dir_.path(); }
    const std::filesystem::path& config() const { return config_; }
    std::filesystem::path socket() const { return dir_ / "run" / "control.sock"; }
    std::filesystem::path cert_file() const { return dir_ / "cert.pem"; }
    std::filesystem::path key_file() const { return dir_ / "key.pem"; }
    const std::vector<std::string>& items() const { return items_; }
    std::string daemon_log() const { return read_file(dir_ / "sekishod.log"); }

    // Runs argv as the account: its uid, its primary gid, its groups from /etc/group.
    Completed run_as(const Account& who, const std::vector<std::string>& argv,
                     const std::optional<std::string>& input = std::nullopt) const {
        std::vector<std::string> full{control_detail::tool("setpriv").string(),
                                      "--reuid=" + std::to_string(who.uid),
                                      "--regid=" + std::to_string(who.gid), "--init-groups", "--"};
        full.insert(full.end(), argv.begin(), argv.end());
        return run(full, clean_env(), input);
    }

    // sekishoctl -c CONFIG ARGS… as the account.
    Completed ctl(const Account& who, const std::vector<std::string>& args,
                  const std::optional<std::string>& input = std::nullopt) const {
        std::vector<std::string> argv{program("sekishoctl").string(), "-c", config_.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_as(who, argv, input);
    }

    // Bookkeeping of what the audit log must hold.
    void expect_record(const Account& who, const std::string& command, const std::string& result) {
        ++expected_[{who.uid, command, result}];
    }
    const AttemptCounts& expected() const { return expected_; }

    // The control records (actions "control" and "control refused") of these rows.
    static AttemptCounts control_records(const std::vector<AuditRow>& rows) {
        AttemptCounts got;
        for (const auto& r : rows) {
            if ((r.action != "control" && r.action != "control refused") || !r.actor_uid)
                continue;
            ++got[{*r.actor_uid, r.detail("command"), r.detail("result")}];
        }
        return got;
    }

    // Stops sekishod with SIGTERM; its exit code, or nullopt when it had to be killed.
    std::optional<int> stop_daemon() {
        if (!daemon_)
            return stopped_;
        if (daemon_->running()) {
            daemon_->signal(SIGTERM);
            stopped_ = daemon_->wait(std::chrono::seconds(15));
        } else {
            stopped_ = daemon_->wait(std::chrono::seconds(0));
        }
        daemon_.reset();  // SIGKILL if still running
        return stopped_;
    }

  private:
    static std::map<std::string, std::string> clean_env() {
        return {{"NOTIFY_SOCKET", ""},
                {"WATCHDOG_USEC", ""},
                {"WATCHDOG_PID", ""},
                {"CREDENTIALS_DIRECTORY", ""},
                {"LANG", "C.UTF-8"}};
    }

    void make_accounts() {
        const std::string svc = prefix_ + "s";
        approvers_group = prefix_ + "g";
        accounts_.add_group(svc);
        service = accounts_.add_user(svc, svc, {});
        accounts_.add_group(approvers_group);
        operator_user = accounts_.add_user(prefix_ + "o", "", {svc});
        approver1 = accounts_.add_user(prefix_ + "a", "", {svc, approvers_group});
        approver2 = accounts_.add_user(prefix_ + "b", "", {svc, approvers_group});
        admin = accounts_.add_user(prefix_ + "d", "", {svc});
        auditor = accounts_.add_user(prefix_ + "u", "", {svc});
        expired = accounts_.add_user(prefix_ + "e", "", {svc});
        not_yet = accounts_.add_user(prefix_ + "f", "", {svc});
        no_role = accounts_.add_user(prefix_ + "n", "", {svc});
        outsider = accounts_.add_user(prefix_ + "x", "", {});
    }

    void give_to_service(const std::filesystem::path& p) const {
        if (::chown(p.c_str(), service.uid, service.gid) != 0)
            throw std::runtime_error("cannot chown " + p.string() + ": " + std::strerror(errno));
    }

    void make_dir(const std::filesystem::path& p, mode_t mode) const {
        std::filesystem::create_directory(p);
        give_to_service(p);
        if (::chmod(p.c_str(), mode) != 0)
            throw std::runtime_error("cannot chmod " + p.string());
    }

    std::string config_text(const ControlOptions& o) const {
        const auto q = [](const std::string& s) { return "\"" + s + "\""; };
        std::string operators = q("user:" + operator_user.name) + ", { user = " + q(expired.name) +
                                ", valid_until = 2020-01-31 }, { user = " + q(not_yet.name) +
                                ", valid_from = 2099-04-01 }";
        if (o.approver1_is_operator)
            operators += ", " + q("user:" + approver1.name);
        return "[daemon]\nuser = " + q(service.name) +
               "\nstate_dir = " + q((dir_ / "state").string()) +
               "\nmetrics_file = " + q((dir_ / "run" / "sekishod.prom").string()) +
               "\ncontrol_socket = " + q(socket().string()) +
               "\n\n[keys]\nqueue_key = " + q((dir_ / "queue.key").string()) +
               "\naudit_key = " + q((dir_ / "audit.key").string()) +
               "\n\n[release]\nrequire_approval = " + (o.require_approval ? "true" : "false") +
               "\napproval_timeout = " + q(o.approval_timeout) + "\n\n[roles]\noperators = [" +
               operators + "]\napprovers = [" + q("group:" + approvers_group) + "]\nadmins = [" +
               q("user:" + admin.name) + "]\nauditors = [" + q("user:" + auditor.name) + "]\n";
    }

    void write_files(const ControlOptions& options) {
        for (const char* key : {"queue.key", "audit.key"}) {
            write_file(dir_ / key, random_key(), 0600);
            give_to_service(dir_ / key);
        }
        make_dir(dir_ / "state", 0700);
        make_dir(dir_ / "run", 0755);
        write_file(config_, config_text(options), 0644);
        write_file(cert_file(), "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n",
                   0644);
        write_file(key_file(), "-----BEGIN PRIVATE KEY-----\nnot one\n-----END PRIVATE KEY-----\n",
                   0644);
    }

    void seed(int count) {
        const auto r = run_as(service, {program("control_seed_queue").string(),
                                        (dir_ / "state").string(), (dir_ / "queue.key").string(),
                                        (dir_ / "audit.key").string(), std::to_string(count)});
        if (r.exit_code != 0)
            throw std::runtime_error("control_seed_queue failed: " + r.err);
        std::istringstream in(r.out);
        for (std::string line; std::getline(in, line);) {
            if (!line.empty())
                items_.push_back(line);
        }
        if (items_.size() != static_cast<std::size_t>(count))
            throw std::runtime_error("control_seed_queue printed " + std::to_string(items_.size()) +
                                     " ids: " + r.out);
    }

    // The socket is there, 0660, and accepts: the daemon serves requests.
    bool socket_ready() const {
        struct stat st {};
        if (::lstat(socket().c_str(), &st) != 0 || !S_ISSOCK(st.st_mode) ||
            (st.st_mode & 07777) != 0660)
            return false;
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const std::string p = socket().string();
        std::memcpy(addr.sun_path, p.c_str(), std::min(p.size() + 1, sizeof(addr.sun_path)));
        // Closing without a request: the daemon answers and audits nothing.
        const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
        ::close(fd);
        return ok;
    }

    void start_daemon() {
        daemon_ = std::make_unique<Child>(
            std::vector<std::string>{control_detail::tool("setpriv").string(),
                                     "--reuid=" + std::to_string(service.uid),
                                     "--regid=" + std::to_string(service.gid), "--init-groups",
                                     "--", program("sekishod").string(), "-c", config_.string()},
            clean_env(), dir_ / "sekishod.log");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!socket_ready()) {
            if (!daemon_->running())
                throw std::runtime_error("sekishod ended before serving: " + daemon_log());
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("sekishod did not open its control socket: " +
                                         daemon_log());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    std::string stem_;
    std::string prefix_;
    SystemAccounts accounts_;  // declared before everything that runs as the accounts
    TempDir dir_;
    std::filesystem::path config_ = dir_ / "sekishod.toml";
    std::vector<std::string> items_;
    AttemptCounts expected_;
    std::optional<int> stopped_;
    std::unique_ptr<Child> daemon_;  // declared last: ends first
};

}  // namespace sekisho::test

// The IPsec path check against a real kernel: each case builds a network namespace with
// a TUN or veth device, routes, policy rules and XFRM policies (`ip`), runs check_path on a
// thread that has joined the namespace (setns changes only the calling thread), and
// removes the namespace. Policies need no SA and no ESP support for the dump.
// Needs root: without it every case warns and passes.

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "adapters/chukan/ipsec_check.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

using sekisho::chukan::check_path;
using sekisho::chukan::parse_ipsec_check;
using sekisho::chukan::PathVerdict;
using sekisho::test::run;

namespace {

constexpr const char* kNetnsDir = "/run/netns";  // where `ip netns add` pins namespaces
constexpr std::string_view kPrefix = "skt-ipsec-";

std::string ip_tool() {
    // Root's tools may live in sbin, which a test runner's PATH may lack; run() needs a path.
    for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
        if (::access(p, X_OK) == 0)
            return p;
    }
    return {};
}

bool skip_without_root() {
    if (::geteuid() == 0 && !ip_tool().empty())
        return false;
    WARN("skipped: needs root and ip (iproute2)");
    return true;
}

void must(const std::vector<std::string>& argv, const std::string& input = {}) {
    const auto done = run(argv, {}, input);
    if (done.exit_code != 0) {
        std::string line;
        for (const auto& a : argv)
            line += a + " ";
        throw std::runtime_error("`" + line + "` failed: " + done.err + "\ninput:\n" + input);
    }
}

unsigned long g_next_namespace = 0;  // this process's namespaces are numbered from 0

struct NamespaceName {
    pid_t pid = 0;
    unsigned long n = 0;
};

// "skt-ipsec-<pid>-<n>", when the name has that form.
std::optional<NamespaceName> parse_name(const std::string& name) {
    if (!name.starts_with(kPrefix))
        return std::nullopt;
    const char* begin = name.data() + kPrefix.size();
    const char* end = name.data() + name.size();
    NamespaceName out;
    const auto a = std::from_chars(begin, end, out.pid);
    if (a.ec != std::errc() || a.ptr == end || *a.ptr != '-')
        return std::nullopt;
    const auto b = std::from_chars(a.ptr + 1, end, out.n);
    if (b.ec != std::errc() || b.ptr != end)
        return std::nullopt;
    return out;
}

std::vector<std::string> pinned_namespaces() {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(kNetnsDir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        names.push_back(it->path().filename().string());
    return names;
}

// Left by a test process that died before removing it; with our own pid, by an earlier
// process that had it, unless we made it.
bool is_leftover(const NamespaceName& name) {
    if (name.pid == ::getpid())
        return name.n >= g_next_namespace;
    return ::kill(name.pid, 0) != 0 && errno == ESRCH;
}

void remove_leftovers() {
    for (const auto& name : pinned_namespaces()) {
        if (const auto parsed = parse_name(name); parsed && is_leftover(*parsed))
            run({ip_tool(), "netns", "delete", name});
    }
}

// The names of this process's namespaces that `ip netns list` still shows.
std::vector<std::string> our_listed_namespaces() {
    const auto done = run({ip_tool(), "netns", "list"});
    REQUIRE(done.exit_code == 0);
    const auto ours = std::string(kPrefix) + std::to_string(::getpid()) + "-";
    std::vector<std::string> names;
    std::istringstream in(done.out);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(ours))
            names.push_back(line.substr(0, line.find(' ')));
    }
    return names;
}

// Drops CAP_NET_ADMIN from the calling thread's effective set (capabilities are per
// thread; the rest of the process keeps it).
void drop_net_admin_on_this_thread() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capget, &header, data) != 0)
        throw std::runtime_error(std::string("capget: ") + std::strerror(errno));
    data[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
    if (::syscall(SYS_capset, &header, data) != 0)
        throw std::runtime_error(std::string("capset: ") + std::strerror(errno));
}

// A network namespace of its own, set up with an `ip -batch` script, removed with
// everything in it when the object dies.
class Namespace {
  public:
    explicit Namespace(const std::string& setup) {
        remove_leftovers();
        name_ = std::string(kPrefix) + std::to_string(::getpid()) + "-" +
                std::to_string(g_next_namespace++);
        must({ip_tool(), "netns", "add", name_});
        try {
            ip(setup);
        } catch (...) {
            run({ip_tool(), "netns", "delete", name_});
            throw;
        }
    }
    ~Namespace() { run({ip_tool(), "netns", "delete", name_}); }
    Namespace(const Namespace&) = delete;
    Namespace& operator=(const Namespace&) = delete;

    // More configuration: an `ip -batch` script run in the namespace.
    void ip(const std::string& script) const {
        must({ip_tool(), "-n", name_, "-batch", "-"}, script);
    }

    // check_path as the daemon would run it inside the namespace.
    PathVerdict check(const std::string& mode, const std::string& server,
                      bool without_net_admin = false) const {
        PathVerdict verdict;
        in_namespace([&] {
            if (without_net_admin)
                drop_net_admin_on_this_thread();
            verdict = check_path(parse_ipsec_check(mode), boost::asio::ip::make_address(server));
        });
        return verdict;
    }

  private:
    void in_namespace(const std::function<void()>& fn) const { sekisho::test::in_netns(name_, fn); }

    std::string name_;
};

void expect(const PathVerdict& verdict, bool protected_path, const std::string& why_part) {
    INFO("why: " << verdict.why);
    CHECK(verdict.protected_path == protected_path);
    CHECK_THAT(verdict.why, Catch::Contains(why_part));
}

// The tunnel device of an IPsec daemon (kernel-libipsec's ipsec0 is a TUN device too).
// Nothing reads it, so it has no carrier; route lookups do not mind. (The kernel here has
// no dummy device type.)
const std::string kTunnel =
    "link set lo up\n"
    "tuntap add tun-test mode tun\n"
    "link set tun-test up\n"
    "addr add 192.0.2.1/24 dev tun-test\n";

// The plain uplink for the xfrm cases: kernel ESP policies act on traffic routed there.
const std::string kUplink =
    "link set lo up\n"
    "link add lan0 type veth peer name lan0-peer\n"
    "link set lan0 up\n"
    "addr add 192.0.2.1/24 dev lan0\n"
    "addr add 2001:db8:1::1/64 dev lan0 nodad\n"
    "route add 198.51.100.0/24 via 192.0.2.2 dev lan0\n"
    "route add 2001:db8:2::/64 via 2001:db8:1::2 dev lan0\n";

const std::string kEspTemplate = " tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel";

}  // namespace

TEST_CASE("ipsec_check interface mode follows the route", "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        Namespace ns(kTunnel + "route add 198.51.100.0/24 dev tun-test\n");
        expect(ns.check("interface:tun-test", "198.51.100.10"), true,
               "route to 198.51.100.10 goes out through tun-test");
        // An IPv4-mapped address is an IPv4 connection.
        expect(ns.check("interface:tun-test", "::ffff:198.51.100.10"), true,
               "route to 198.51.100.10 goes out through tun-test");
        expect(ns.check("interface:other", "198.51.100.10"), false,
               "route to 198.51.100.10 goes out through tun-test, not through other");
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check interface mode refuses routes that go nowhere", "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        Namespace ns(kTunnel + "route add prohibit 198.51.100.0/24\n");
        expect(ns.check("interface:tun-test", "198.51.100.10"), false,
               "route to 198.51.100.10 is prohibited");
        ns.ip("route replace unreachable 198.51.100.0/24\n");
        expect(ns.check("interface:tun-test", "198.51.100.10"), false, "is unreachable");
        ns.ip("route replace blackhole 198.51.100.0/24\n");
        expect(ns.check("interface:tun-test", "198.51.100.10"), false, "blackhole");
        ns.ip("route del blackhole 198.51.100.0/24\n");
        expect(ns.check("interface:tun-test", "198.51.100.10"), false,
               "route to 198.51.100.10 does not exist");
        // A different address family is a different question.
        expect(ns.check("xfrm", "2001:db8:2::10"), false, "route to 2001:db8:2::10");
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check interface mode honours policy routing (strongSwan table 220)",
          "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        // kernel-libipsec's layout: the tunnel route in table 220, selected by a rule, and a
        // prohibit route in main so that nothing leaks in clear when the tunnel is down.
        Namespace ns(kTunnel +
                     "route add prohibit 198.51.100.0/24\n"
                     "route add 198.51.100.0/24 dev tun-test table 220\n"
                     "rule add to 198.51.100.0/24 table 220 priority 220\n");
        expect(ns.check("interface:tun-test", "198.51.100.10"), true,
               "route to 198.51.100.10 goes out through tun-test");
        // The tunnel goes down: its route leaves table 220, the lookup falls through.
        ns.ip("route del 198.51.100.0/24 dev tun-test table 220\n");
        expect(ns.check("interface:tun-test", "198.51.100.10"), false,
               "route to 198.51.100.10 is prohibited");
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check interface mode with IPv6", "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        Namespace ns(kTunnel +
                     "addr add 2001:db8:1::1/64 dev tun-test nodad\n"
                     "route add 2001:db8:2::/64 dev tun-test\n");
        expect(ns.check("interface:tun-test", "2001:db8:2::10"), true,
               "route to 2001:db8:2::10 goes out through tun-test");
        ns.ip("route del 2001:db8:2::/64 dev tun-test\nroute add prohibit 2001:db8:2::/64\n");
        expect(ns.check("interface:tun-test", "2001:db8:2::10"), false,
               "route to 2001:db8:2::10 is prohibited");
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check xfrm mode needs an outbound ESP policy covering the server",
          "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        Namespace ns(kUplink);
        SECTION("covering ESP policy") {
            ns.ip("xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/25 dir out" + kEspTemplate);
            expect(ns.check("xfrm", "198.51.100.10"), true,
                   "policy for 198.51.100.0/25 from 192.0.2.0/24 (priority 0) sends "
                   "198.51.100.10 from 192.0.2.1 through ESP");
            expect(ns.check("xfrm", "198.51.100.200"), false,
                   "no outbound XFRM policy covers 198.51.100.200 from 192.0.2.1 (1 policies");
        }
        SECTION("no policy") {
            expect(ns.check("xfrm", "198.51.100.10"), false,
                   "no outbound XFRM policy covers 198.51.100.10");
        }
        SECTION("inbound policy only") {
            ns.ip("xfrm policy add src 198.51.100.0/24 dst 192.0.2.0/24 dir in" + kEspTemplate);
            ns.ip("xfrm policy add src 198.51.100.0/24 dst 192.0.2.0/24 dir fwd" + kEspTemplate);
            expect(ns.check("xfrm", "198.51.100.10"), false,
                   "no outbound XFRM policy covers 198.51.100.10");
        }
        SECTION("AH only") {
            ns.ip(
                "xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 dir out tmpl src "
                "192.0.2.1 dst 192.0.2.2 proto ah mode tunnel\n");
            expect(ns.check("xfrm", "198.51.100.10"), false, "has no ESP template (ah)");
        }
        SECTION("action block") {
            ns.ip("xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 dir out action block\n");
            expect(ns.check("xfrm", "198.51.100.10"), false, "blocks it");
        }
        SECTION("source selector not covering the route's source") {
            ns.ip("xfrm policy add src 192.0.2.128/25 dst 198.51.100.0/24 dir out" + kEspTemplate);
            expect(ns.check("xfrm", "198.51.100.10"), false,
                   "no outbound XFRM policy covers 198.51.100.10 from 192.0.2.1");
        }
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check xfrm mode judges the policy the kernel would apply",
          "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        Namespace ns(kUplink +
                     "xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 dir out "
                     "priority 100" +
                     kEspTemplate + "\n");
        SECTION("a bypass policy with a better priority") {
            ns.ip("xfrm policy add dst 198.51.100.10/32 dir out priority 10\n");
            expect(ns.check("xfrm", "198.51.100.10"), false,
                   "(priority 10) applies to 198.51.100.10 from 192.0.2.1 and lets it out in "
                   "clear");
        }
        SECTION("a bypass policy with a worse priority") {
            ns.ip("xfrm policy add dst 198.51.100.10/32 dir out priority 200\n");
            expect(ns.check("xfrm", "198.51.100.10"), true, "(priority 100) sends");
        }
        SECTION("a tie between ESP and bypass") {
            ns.ip("xfrm policy add dst 198.51.100.10/32 dir out priority 100\n");
            expect(ns.check("xfrm", "198.51.100.10"), false, "lets it out in clear");
        }
        SECTION("optional ESP (level use)") {
            // Optional tunnel-mode templates are refused in outbound policies (Linux 6.3+).
            ns.ip(
                "xfrm policy add dst 198.51.100.10/32 dir out priority 50 tmpl src 192.0.2.1 "
                "dst 192.0.2.2 proto esp mode transport level use\n");
            expect(ns.check("xfrm", "198.51.100.10"), false, "makes ESP optional");
        }
        SECTION("ESP for one port only") {
            ns.ip("xfrm policy add dst 198.51.100.10/32 proto tcp dport 443 dir out priority 50" +
                  kEspTemplate + "\n");
            expect(ns.check("xfrm", "198.51.100.10"), false, "selects by port");
        }
        SECTION("a policy for marked packets does not apply") {
            ns.ip("xfrm policy add dst 198.51.100.10/32 dir out priority 10 mark 1\n");
            expect(ns.check("xfrm", "198.51.100.10"), true, "(priority 100) sends");
        }
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check xfrm mode reads a dump of many datagrams", "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        // About 300 bytes per policy: the kernel splits 2000 of them into dozens of
        // datagrams, and the covering one comes last.
        std::string script = kUplink;
        for (int n = 1; n <= 2000; ++n)
            script += "xfrm policy add dst 2001:db8:ffff::" + std::to_string(n) + "/128 dir out" +
                      kEspTemplate + "\n";
        script += "xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/25 dir out" + kEspTemplate;
        Namespace ns(script);
        expect(ns.check("xfrm", "198.51.100.10"), true, "198.51.100.0/25 from 192.0.2.0/24");
        expect(ns.check("xfrm", "198.51.100.200"), false, "(2001 policies read)");
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check xfrm mode with IPv6", "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        Namespace ns(kUplink);
        ns.ip(
            "xfrm policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 dir out tmpl src "
            "2001:db8:1::1 dst 2001:db8:1::2 proto esp mode tunnel\n");
        expect(ns.check("xfrm", "2001:db8:2::10"), true,
               "policy for 2001:db8:2::/64 from 2001:db8:1::/64 (priority 0) sends "
               "2001:db8:2::10 from 2001:db8:1::1 through ESP");
        // An IPv6 policy says nothing about IPv4 traffic.
        expect(ns.check("xfrm", "198.51.100.10"), false,
               "no outbound XFRM policy covers 198.51.100.10");
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check xfrm mode without CAP_NET_ADMIN says what to do", "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        Namespace ns(kUplink);
        ns.ip("xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 dir out" + kEspTemplate);
        const auto verdict = ns.check("xfrm", "198.51.100.10", true);
        expect(verdict, false, "reading XFRM policies needs CAP_NET_ADMIN");
        CHECK_THAT(verdict.why, Catch::Contains("ipsec_check = \"interface:<tunnel device>\""));
        // The route lookup needs no privilege: interface mode works without it.
        expect(ns.check("interface:lan0", "198.51.100.10", true), true, "through lan0");
    }
    CHECK(our_listed_namespaces().empty());
}

TEST_CASE("ipsec_check off checks nothing", "[chukan][ipsec][netns]") {
    if (skip_without_root())
        return;
    {
        // Not even the route: with off, the answer does not depend on the kernel.
        Namespace ns("route add prohibit 198.51.100.0/24\n");
        expect(ns.check("off", "198.51.100.10"), true, "ipsec_check = off: not checked");
    }
    CHECK(our_listed_namespaces().empty());
}

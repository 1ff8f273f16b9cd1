#include "tests/support/netns.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSenderAddr = "192.0.2.1";
constexpr const char* kReceiverAddr = "192.0.2.2";
constexpr const char* kSenderIf = "veth-s";
constexpr const char* kReceiverIf = "veth-r";
// Locally administered; the pair is alone on its link, so fixed addresses cannot clash.
const VethEnd kSenderEnd{"s", kSenderIf, "02:00:c0:00:02:01", kSenderAddr};
const VethEnd kReceiverEnd{"r", kReceiverIf, "02:00:c0:00:02:02", kReceiverAddr};
constexpr const char* kLossChain = "SKT-LOSS";
constexpr const char* kBackChain = "SKT-BACK";
constexpr const char* kNetnsDir = "/run/netns";  // where `ip netns add` pins namespaces
constexpr const char* kSocketBufferMax = "67108864";
constexpr int kIperfPort = 5201;

// --- running commands ---------------------------------------------------------------

std::string join(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv)
        out += (out.empty() ? "" : " ") + a;
    return out;
}

// Best effort: false when the key is absent or read-only in the current namespace.
bool write_sysctl(const std::string& key_path, const std::string& value) {
    std::ofstream out("/proc/sys/" + key_path);
    out << value << std::flush;
    return static_cast<bool>(out);
}

void tune_namespace(const std::string& ns) {
    in_netns(ns, [] {
        // Devices created from now on (the veth ends) get no IPv6: no router or neighbour
        // solicitations, no MLD reports, so nothing crosses the link unasked.
        write_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
        // Visible and writable only where the namespace has its own copy (see netns.hpp),
        // so this can never raise the host's limits.
        write_sysctl("net/core/rmem_max", kSocketBufferMax);
        write_sysctl("net/core/wmem_max", kSocketBufferMax);
    });
}

// --- names and leftovers ------------------------------------------------------------

std::mutex g_instances_mutex;
unsigned long g_next_instance = 0;  // guarded by g_instances_mutex

struct PairName {
    pid_t pid = 0;
    unsigned long instance = 0;
};

bool valid_role(std::string_view role) {
    return !role.empty() &&
           std::all_of(role.begin(), role.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// "skt-<pid>-<n>-<role>".
std::optional<PairName> parse_name(const std::string& name) {
    const auto dash = name.rfind('-');
    if (!name.starts_with("skt-") || dash == std::string::npos ||
        !valid_role(std::string_view(name).substr(dash + 1)))
        return std::nullopt;
    const char* end = name.data() + dash;
    PairName out;
    const auto pid = std::from_chars(name.data() + 4, end, out.pid);
    if (pid.ec != std::errc() || pid.ptr == end || *pid.ptr != '-')
        return std::nullopt;
    const auto n = std::from_chars(pid.ptr + 1, end, out.instance);
    if (n.ec != std::errc() || n.ptr != end)
        return std::nullopt;
    return out;
}

bool is_stale(const PairName& name) {
    // With our own pid: left by an earlier process that had it, unless we made it.
    if (name.pid == ::getpid())
        return name.instance >= g_next_instance;
    return ::kill(name.pid, 0) != 0 && errno == ESRCH;
}

void remove_stale() {
    std::vector<std::string> stale;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(kNetnsDir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (const auto parsed = parse_name(name); parsed && is_stale(*parsed))
            stale.push_back(name);
    }
    // Two test processes may clean the same leftover at once: losing that race is fine.
    // What still runs there (an IPsec daemon, iperf3) would keep the namespace alive.
    const auto ip = system_tool("ip");
    for (const auto& name : stale) {
        std::istringstream pids(run({ip, "netns", "pids", name}).out);
        for (pid_t pid = 0; pids >> pid;)
            ::kill(pid, SIGKILL);
        run({ip, "netns", "delete", name});
    }
}

unsigned long claim_instance() {
    std::lock_guard lock(g_instances_mutex);
    remove_stale();
    return g_next_instance++;
}

// --- links and rules ----------------------------------------------------------------

void configure_end(const std::string& ns, const VethEnd& end, const VethEnd& peer) {
    // A permanent neighbour entry: the end never sends ARP requests, so with the back
    // path dropped the sender still reaches the receiver and nothing comes back.
    const std::string batch = "link set lo up\naddr add " + end.addr + "/24 dev " + end.ifname +
                              "\nlink set " + end.ifname + " up\nneigh replace " + peer.addr +
                              " lladdr " + peer.mac + " dev " + end.ifname + " nud permanent\n";
    run_checked({system_tool("ip"), "-n", ns, "-batch", "-"}, {}, batch);
}

// The kernel turns the carrier on asynchronously (linkwatch) and, until then, the device
// drops what it is given: wait so that a test's first datagram is not silently lost.
void wait_until_up(const std::string& ns, const std::string& ifname) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
        const auto shown =
            run_checked({system_tool("ip"), "-n", ns, "-o", "link", "show", "dev", ifname});
        if (shown.out.find(" state UP ") != std::string::npos)
            return;
        if (std::chrono::steady_clock::now() >= deadline)
            throw std::runtime_error(ifname + " in " + ns + " not up after 5 s: " + shown.out);
        std::this_thread::sleep_for(5ms);
    }
}

// With --noflush, declaring a user chain creates or empties it, so the rules that follow
// replace its content in one commit, without a moment where the old rule is gone.
void replace_chain(const std::string& ns, const std::string& chain, const std::string& rules) {
    const auto input = "*filter\n:" + chain + " - [0:0]\n" + rules + "COMMIT\n";
    // -w: the xtables lock file is shared by every namespace on the machine.
    run_checked(
        NetnsPair::in_ns(ns, {system_tool("iptables-legacy-restore"), "-w", "10", "--noflush"}), {},
        input);
}

std::uint64_t chain_drops(const std::string& ns, const std::string& chain) {
    const auto listing = run_checked(NetnsPair::in_ns(ns, {system_tool("iptables-legacy"), "-w",
                                                           "10", "-L", chain, "-v", "-x", "-n"}))
                             .out;
    std::istringstream in(listing);
    std::string line;
    std::getline(in, line);  // "Chain SKT-LOSS (1 references)"
    std::getline(in, line);  // column names
    std::uint64_t total = 0;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::uint64_t packets = 0;
        std::string bytes, target;
        if (words >> packets >> bytes >> target && target == "DROP")
            total += packets;
    }
    return total;
}

// tc(8) rate units: bits per second, except units ending in "bps" (bytes per second).
double rate_bits_per_second(const std::string& rate) {
    static const std::map<std::string, double> units = {
        {"", 1},           {"bit", 1},        {"kbit", 1e3},     {"mbit", 1e6},
        {"gbit", 1e9},     {"tbit", 1e12},    {"kibit", 0x1p10}, {"mibit", 0x1p20},
        {"gibit", 0x1p30}, {"tibit", 0x1p40}, {"bps", 8},        {"kbps", 8e3},
        {"mbps", 8e6},     {"gbps", 8e9},     {"tbps", 8e12},    {"kibps", 0x1p13},
        {"mibps", 0x1p23}, {"gibps", 0x1p33}, {"tibps", 0x1p43}};
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(rate, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::string unit = rate.substr(used);
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (used == 0 || !std::isfinite(value) || value <= 0 || !units.contains(unit))
        throw std::invalid_argument("bad rate \"" + rate + "\" (tc units, e.g. 100mbit, 1gbit)");
    return value * units.at(unit);
}

// 10 ms at the rate, between 64 KiB and 8 MiB: enough to reach 1 Gbit/s despite timer
// granularity (1.25 MB there), little enough to hardly show in a 2 s measurement.
std::uint64_t tbf_burst_bytes(const std::string& rate) {
    const auto bytes = static_cast<std::uint64_t>(rate_bits_per_second(rate) / 8 / 100);
    return std::clamp<std::uint64_t>(bytes, 64u << 10, 8u << 20);
}

}  // namespace

// Runs `fn` on a thread that has joined namespace `ns`; setns(2) changes only the calling
// thread, so the rest of the process never leaves its own namespace.
void in_netns(const std::string& ns, const std::function<void()>& fn) {
    std::exception_ptr error;
    std::thread worker([&] {
        try {
            const auto path = std::string(kNetnsDir) + "/" + ns;
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
            const int rc = ::setns(fd, CLONE_NEWNET);
            const int saved = errno;
            ::close(fd);
            if (rc != 0)
                throw std::runtime_error("setns " + path + ": " + std::strerror(saved));
            fn();
        } catch (...) {
            error = std::current_exception();
        }
    });
    worker.join();
    if (error)
        std::rethrow_exception(error);
}

// --- LinkedNamespaces ---------------------------------------------------------------

LinkedNamespaces::LinkedNamespaces(const VethEnd& first, const VethEnd& second) {
    if (!valid_role(first.role) || !valid_role(second.role) || first.role == second.role)
        throw std::invalid_argument("namespace roles must differ and be lowercase letters");
    const auto base = "skt-" + std::to_string(::getpid()) + "-" + std::to_string(claim_instance());
    try {
        const auto ip = system_tool("ip");
        first_ns_ = base + "-" + first.role;
        run_checked({ip, "netns", "add", first_ns_});
        second_ns_ = base + "-" + second.role;
        run_checked({ip, "netns", "add", second_ns_});
        tune_namespace(first_ns_);
        tune_namespace(second_ns_);
        // Both ends are created directly in their namespaces: no interface ever appears in
        // ours, so concurrent tests cannot clash on names.
        run_checked({ip, "link", "add", first.ifname, "netns", first_ns_, "address", first.mac,
                     "type", "veth", "peer", "name", second.ifname, "netns", second_ns_, "address",
                     second.mac});
        configure_end(first_ns_, first, second);
        configure_end(second_ns_, second, first);
        wait_until_up(first_ns_, first.ifname);
        wait_until_up(second_ns_, second.ifname);
    } catch (...) {
        remove();
        throw;
    }
}

LinkedNamespaces::~LinkedNamespaces() {
    remove();
}

void LinkedNamespaces::remove() noexcept {
    try {
        const auto ip = system_tool("ip");
        for (const auto* ns : {&first_ns_, &second_ns_}) {
            if (!ns->empty())
                run({ip, "netns", "delete", *ns});
        }
    } catch (...) {
        // A destructor must not throw; the next constructor removes what is left.
    }
}

// --- NetnsPair ----------------------------------------------------------------------

bool NetnsPair::available() {
    if (::geteuid() != 0)
        return false;
    for (const char* name : {"ip", "tc", "iptables-legacy", "iptables-legacy-restore"}) {
        if (find_system_tool(name).empty())
            return false;
    }
    return true;
}

NetnsPair::NetnsPair() : link_(kSenderEnd, kReceiverEnd) {
    // On failure, link_ (constructed) removes the namespaces.
    replace_chain(receiver_ns(), kLossChain,
                  std::string("-A INPUT -i ") + kReceiverIf + " -p udp -j " + kLossChain + "\n");
    replace_chain(sender_ns(), kBackChain,
                  std::string("-A INPUT -i ") + kSenderIf + " -j " + kBackChain + "\n");
}

std::string NetnsPair::sender_addr() const {
    return kSenderAddr;
}
std::string NetnsPair::receiver_addr() const {
    return kReceiverAddr;
}
std::string NetnsPair::sender_if() const {
    return kSenderIf;
}
std::string NetnsPair::receiver_if() const {
    return kReceiverIf;
}

void NetnsPair::set_loss(double probability) {
    if (!(probability >= 0.0 && probability <= 1.0))
        throw std::invalid_argument("loss probability must be in [0, 1]");
    std::string rule;
    if (probability > 0.0) {
        char p[32];
        std::snprintf(p, sizeof p, "%.9f", probability);
        rule = std::string("-A ") + kLossChain + " -m statistic --mode random --probability " + p +
               " -j DROP\n";
    }
    const auto before = loss_drops();
    replace_chain(receiver_ns(), kLossChain, rule);
    loss_before_ = before;
}

void NetnsPair::drop_back_path(bool on) {
    const auto before = back_path_drops();
    replace_chain(sender_ns(), kBackChain,
                  on ? std::string("-A ") + kBackChain + " -j DROP\n" : "");
    back_before_ = before;
    back_path_on_ = on;
}

void NetnsPair::set_rate(const std::string& rate) {
    const auto tc = system_tool("tc");
    if (rate.empty()) {
        if (!rate_.empty())
            run_checked(in_ns(sender_ns(), {tc, "qdisc", "del", "dev", kSenderIf, "root"}));
        rate_.clear();
        return;
    }
    const auto burst = std::to_string(tbf_burst_bytes(rate));
    run_checked(in_ns(sender_ns(), {tc, "qdisc", "replace", "dev", kSenderIf, "root", "tbf", "rate",
                                    rate, "burst", burst, "latency", "100ms"}));
    rate_ = rate;
}

std::uint64_t NetnsPair::loss_drops() const {
    return loss_before_ + chain_drops(receiver_ns(), kLossChain);
}

std::uint64_t NetnsPair::back_path_drops() const {
    return back_before_ + chain_drops(sender_ns(), kBackChain);
}

std::vector<std::string> NetnsPair::in_ns(const std::string& ns, std::vector<std::string> argv) {
    std::vector<std::string> out{system_tool("ip"), "netns", "exec", ns};
    out.insert(out.end(), std::make_move_iterator(argv.begin()),
               std::make_move_iterator(argv.end()));
    return out;
}

// --- sockets in a namespace ---------------------------------------------------------

namespace {

sockaddr_in ipv4(const std::string& addr, std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1)
        throw std::invalid_argument("not an IPv4 address: " + addr);
    return sa;
}

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

int poll_ms(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

// Waits until `fd` has one of `events` (true) or `deadline` passes (false).
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int ready = ::poll(&p, 1, poll_ms(deadline));
        if (ready > 0)
            return true;
        if (ready == 0)
            return false;
        if (errno != EINTR)
            throw sys_error("poll");
    }
}

}  // namespace

UniqueFd socket_in_netns(const std::string& ns, int domain, int type, int protocol) {
    UniqueFd fd;
    in_netns(ns, [&] {
        fd.reset(::socket(domain, type, protocol));
        if (!fd)
            throw sys_error("socket in namespace " + ns);
    });
    return fd;
}

// --- NsUdpSocket --------------------------------------------------------------------

NsUdpSocket::NsUdpSocket(const std::string& ns, const std::string& addr, std::uint16_t port) {
    const auto where = ipv4(addr, port);
    // A socket belongs for life to the namespace it was created in; bind needs no setns.
    fd_ = socket_in_netns(ns, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC).release();
    const int size = 16 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);  // root only: best effort
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&where), sizeof where) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
        const auto error = sys_error("bind " + addr + ":" + std::to_string(port) + " in " + ns);
        ::close(fd_);
        throw error;
    }
    port_ = ntohs(bound.sin_port);
}

NsUdpSocket::~NsUdpSocket() {
    ::close(fd_);
}

void NsUdpSocket::send_to(const std::string& addr, std::uint16_t port,
                          std::string_view payload) const {
    const auto to = ipv4(addr, port);
    ssize_t n = -1;
    do {
        n = ::sendto(fd_, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                     sizeof to);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        throw sys_error("sendto " + addr + ":" + std::to_string(port));
}

std::optional<std::string> NsUdpSocket::receive(std::chrono::milliseconds timeout) const {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR)
        throw sys_error("poll");
    if (ready <= 0)
        return std::nullopt;
    std::string buf(65536, '\0');
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0)
        throw sys_error("recv");
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

// --- TCP ----------------------------------------------------------------------------

NsTcpEcho::NsTcpEcho(const std::string& ns, const std::string& addr, const std::string& device)
    : listener_(socket_in_netns(ns, AF_INET, SOCK_STREAM | SOCK_CLOEXEC)),
      stop_(::eventfd(0, EFD_CLOEXEC)) {
    if (!stop_)
        throw sys_error("eventfd");
    // The device is looked up in the socket's namespace, not the calling thread's.
    if (!device.empty() && ::setsockopt(listener_.get(), SOL_SOCKET, SO_BINDTODEVICE, device.data(),
                                        static_cast<socklen_t>(device.size())) != 0)
        throw sys_error("SO_BINDTODEVICE " + device + " in " + ns);
    const auto where = ipv4(addr, 0);
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&where), sizeof where) != 0 ||
        ::listen(listener_.get(), 16) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&bound), &len) != 0)
        throw sys_error("TCP listener on " + addr + " in " + ns);
    port_ = ntohs(bound.sin_port);
    thread_ = std::thread([this] { serve(); });
}

NsTcpEcho::~NsTcpEcho() {
    ::eventfd_write(stop_.get(), 1);
    thread_.join();
}

void NsTcpEcho::serve() noexcept {
    // Gives up on a connection that stays silent this long: the tests' exchanges are quick.
    constexpr auto kConnectionLimit = 5s;
    for (;;) {
        pollfd fds[2] = {{stop_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            return;
        if (fds[0].revents != 0)
            return;
        if (fds[1].revents == 0)
            continue;
        const UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!conn)
            continue;
        const auto deadline = std::chrono::steady_clock::now() + kConnectionLimit;
        std::string received;
        char buf[4096];
        for (;;) {
            pollfd p[2] = {{stop_.get(), POLLIN, 0}, {conn.get(), POLLIN, 0}};
            if (::poll(p, 2, poll_ms(deadline)) <= 0 || p[0].revents != 0)
                break;
            const ssize_t n = ::read(conn.get(), buf, sizeof buf);
            if (n <= 0)
                break;
            received.append(buf, static_cast<std::size_t>(n));
        }
        // Blocking, with a time limit in case the peer stops reading.
        const timeval limit{5, 0};
        ::setsockopt(conn.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        for (std::size_t sent = 0; sent < received.size();) {
            const ssize_t n =
                ::send(conn.get(), received.data() + sent, received.size() - sent, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            sent += static_cast<std::size_t>(n);
        }
    }
}

std::string ns_tcp_exchange(const std::string& ns, const std::string& addr, std::uint16_t port,
                            std::string_view message, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto peer = ipv4(addr, port);
    const auto where = addr + ":" + std::to_string(port) + " from " + ns;
    const auto timed_out = [&](const char* step) {
        return std::runtime_error("TCP " + where + ": no " + step + " within " +
                                  std::to_string(timeout.count()) + " ms");
    };
    const auto fd = socket_in_netns(ns, AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&peer), sizeof peer) != 0) {
        if (errno != EINPROGRESS)
            throw std::system_error(errno, std::generic_category(), "connect to " + where);
        if (!wait_for(fd.get(), POLLOUT, deadline))
            throw timed_out("connection");
        int error = 0;
        socklen_t len = sizeof error;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0)
            throw std::system_error(error, std::generic_category(), "connect to " + where);
    }
    for (std::size_t sent = 0; sent < message.size();) {
        if (!wait_for(fd.get(), POLLOUT, deadline))
            throw timed_out("room to send");
        const ssize_t n =
            ::send(fd.get(), message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "send to " + where);
        sent += n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    ::shutdown(fd.get(), SHUT_WR);
    std::string reply;
    char buf[4096];
    for (;;) {
        if (!wait_for(fd.get(), POLLIN, deadline))
            throw timed_out("end of the answer");
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n == 0)
            return reply;
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "read from " + where);
        if (n > 0)
            reply.append(buf, static_cast<std::size_t>(n));
    }
}

// --- iperf3 -------------------------------------------------------------------------

namespace {

void wait_listening(const std::string& ns, Child& server, const std::filesystem::path& log) {
    const auto ss = system_tool("ss");
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto port = ":" + std::to_string(kIperfPort);
        const auto listing = run(NetnsPair::in_ns(ns, {ss, "-Hltn", "sport", "=", port}));
        if (listing.exit_code == 0 && !listing.out.empty())
            return;
        if (!server.running())
            throw std::runtime_error("iperf3 -s ended before listening: " + read_file(log));
        std::this_thread::sleep_for(20ms);
    }
    throw std::runtime_error("iperf3 -s in " + ns + " not listening after 5 s");
}

// The receiver's view: "sum_received" (iperf3 >= 3.11); older ones only have "sum".
double received_mbps(const std::string& json) {
    try {
        const auto report = boost::json::parse(json);
        const auto& end = report.as_object().at("end").as_object();
        const auto* sum = end.if_contains("sum_received");
        if (sum == nullptr)
            sum = &end.at("sum");
        return sum->as_object().at("bits_per_second").to_number<double>() / 1e6;
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("cannot read iperf3 --json output (") + e.what() +
                                 "): " + json.substr(0, 2000));
    }
}

}  // namespace

double iperf3_udp_mbps(const NetnsPair& pair, const std::string& bitrate, int seconds) {
    if (pair.back_path_dropped()) {
        throw std::logic_error(
            "iperf3 needs its TCP control connection: call drop_back_path(false) first");
    }
    const auto iperf3 = system_tool("iperf3");
    TempDir dir;
    const auto log = dir / "server.log";
    Child server(
        NetnsPair::in_ns(pair.receiver_ns(), {iperf3, "-s", "-1", "--logfile", log.string()}), {},
        dir / "server.err");
    wait_listening(pair.receiver_ns(), server, log);
    const std::vector<std::string> argv{iperf3,
                                        "-u",
                                        "-b",
                                        bitrate,
                                        "-t",
                                        std::to_string(seconds),
                                        "-c",
                                        pair.receiver_addr(),
                                        "--connect-timeout",
                                        "3000",
                                        "--json"};
    const auto client = run(NetnsPair::in_ns(pair.sender_ns(), argv));
    server.wait(5s);
    if (client.exit_code != 0) {
        throw std::runtime_error("`" + join(argv) + "` in " + pair.sender_ns() +
                                 " failed: " + client.out.substr(0, 2000) + client.err +
                                 "\nserver: " + read_file(log));
    }
    return received_mbps(client.out);
}

}  // namespace sekisho::test

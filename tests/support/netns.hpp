#pragma once
// Network namespaces joined by a veth pair (LinkedNamespaces), for tests that need a real
// link: the one-way UDP link with loss, rate limits and a closed back path (NetnsPair), the
// IPsec test tunnel (ipsec_tunnel.hpp). Needs root and iproute2 (`ip`, `tc`, `ss`);
// NetnsPair also `iptables-legacy` (+ `-restore`), iperf3 for the throughput measurement.
//
// The link carries nothing the tests do not send: neighbour entries are static (no ARP)
// and IPv6 is off on the veth pair (no router/neighbour solicitations, no MLD), so
// NetnsPair's back-path counter counts exactly what the receiver side sent.
//
// Socket buffers: net.core.rmem_max / wmem_max are per-namespace on recent kernels (6.x),
// but read-only inside a child namespace, which copies the host's values when created;
// older kernels do not show them inside a namespace at all. The constructor tries to set
// 64 MiB and silently keeps the inherited value when it cannot: it never writes the
// host's. Programs that need bigger buffers use SO_RCVBUFFORCE / SO_SNDBUFFORCE (root).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"

namespace sekisho::test {

// Runs `fn` on a thread that has joined namespace `ns` (pinned under /run/netns by
// `ip netns add`); setns(2) changes only the calling thread, so the rest of the process
// never leaves its own namespace. Exceptions from `fn` are rethrown here.
void in_netns(const std::string& ns, const std::function<void()>& fn);

// socket(2) in namespace `ns` (on a short-lived thread that joined it): the socket belongs
// to that namespace for life, whichever thread uses it. Throws std::runtime_error.
UniqueFd socket_in_netns(const std::string& ns, int domain, int type, int protocol = 0);

// One end of a LinkedNamespaces.
struct VethEnd {
    std::string role;    // the namespace is "skt-<pid>-<n>-<role>"; lowercase letters only
    std::string ifname;  // the veth device in that namespace
    std::string mac;     // its MAC address, locally administered
    std::string addr;    // its IPv4 address, in a /24 shared with the other end
};

// Two fresh network namespaces joined by a veth pair and nothing else (loopback up), removed
// with everything in them when the object dies. Names are "skt-<pid>-<n>-<role>", <n>
// counting the pairs of this process; namespaces left by a killed test process (its pid no
// longer exists) are removed by the next constructor, after killing what still runs in them.
// The link carries nothing the tests do not send: neighbour entries are static (no ARP)
// and IPv6 is off on the veth pair (no router/neighbour solicitations, no MLD). Each end's
// carrier is up when the constructor returns.
class LinkedNamespaces {
  public:
    // Throws std::runtime_error naming the failed command and its stderr.
    LinkedNamespaces(const VethEnd& first, const VethEnd& second);
    ~LinkedNamespaces();  // never throws
    LinkedNamespaces(const LinkedNamespaces&) = delete;
    LinkedNamespaces& operator=(const LinkedNamespaces&) = delete;

    const std::string& first_ns() const { return first_ns_; }
    const std::string& second_ns() const { return second_ns_; }

  private:
    void remove() noexcept;

    std::string first_ns_;
    std::string second_ns_;
};

// A LinkedNamespaces ("-s" sender, "-r" receiver) with loss, back-path and rate controls.
class NetnsPair {
  public:
    // True when this process can build namespaces (root, `ip`, `tc`, `iptables-legacy`).
    static bool available();

    NetnsPair();  // throws std::runtime_error naming the failed command and its stderr
    // The destructor deletes both namespaces (the veth pair goes with them); never throws.

    const std::string& sender_ns() const { return link_.first_ns(); }
    const std::string& receiver_ns() const { return link_.second_ns(); }
    std::string sender_addr() const;    // "192.0.2.1"
    std::string receiver_addr() const;  // "192.0.2.2"
    std::string sender_if() const;      // veth end in the sender namespace
    std::string receiver_if() const;    // veth end in the receiver namespace

    // Drops arriving UDP datagrams at random with `probability` (iptables-legacy, INPUT on
    // receiver_if in the receiver namespace), replacing the previous rule; 0 removes it.
    void set_loss(double probability);
    // DROPs everything arriving on sender_if (INPUT, sender namespace): nothing the
    // receiver side sends can reach the sender.
    void drop_back_path(bool on);
    bool back_path_dropped() const { return back_path_on_; }
    // tbf on sender_if's egress, e.g. "1gbit" (tc units); "" removes it.
    void set_rate(const std::string& rate);

    // Packets dropped so far by the loss rule / the back-path rule, over every rule set
    // since construction (replacing a rule does not reset the count).
    std::uint64_t loss_drops() const;
    std::uint64_t back_path_drops() const;

    // {"/usr/sbin/ip", "netns", "exec", ns, argv...}: runs `argv` inside `ns`. The first
    // element is an absolute path because test::run and test::Child do not search PATH;
    // `ip netns exec` itself does, so argv[0] may be a bare name.
    static std::vector<std::string> in_ns(const std::string& ns, std::vector<std::string> argv);

  private:
    LinkedNamespaces link_;
    std::string rate_;
    bool back_path_on_ = false;
    std::uint64_t loss_before_ = 0;  // drops of rules already replaced
    std::uint64_t back_before_ = 0;
};

// A UDP socket created inside a namespace (only a short-lived thread enters it, the
// process stays where it is) and bound to addr:port there (port 0: the kernel picks).
// Its receive buffer is 16 MiB (SO_RCVBUFFORCE) so that bursts in tests are not lost to it.
class NsUdpSocket {
  public:
    NsUdpSocket(const std::string& ns, const std::string& addr, std::uint16_t port = 0);
    ~NsUdpSocket();
    NsUdpSocket(const NsUdpSocket&) = delete;
    NsUdpSocket& operator=(const NsUdpSocket&) = delete;

    int fd() const { return fd_; }
    std::uint16_t port() const { return port_; }
    void send_to(const std::string& addr, std::uint16_t port, std::string_view payload) const;
    // The next datagram, or nullopt when none arrives within `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) const;

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// A TCP service in namespace `ns` on addr (port chosen by the kernel) that sends back what
// each connection sends until it half-closes, one connection at a time, on a thread of its
// own, until the object dies. With `device`, the listening socket is bound to that device
// (SO_BINDTODEVICE): it only answers connections that arrive through it, as a server behind
// a tunnel device should (it never answers in clear).
class NsTcpEcho {
  public:
    NsTcpEcho(const std::string& ns, const std::string& addr, const std::string& device = "");
    ~NsTcpEcho();
    NsTcpEcho(const NsTcpEcho&) = delete;
    NsTcpEcho& operator=(const NsTcpEcho&) = delete;

    std::uint16_t port() const { return port_; }

  private:
    void serve() noexcept;

    UniqueFd listener_;
    UniqueFd stop_;  // an eventfd, readable once the destructor wants the thread to end
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// Connects from namespace `ns` (a socket created there) to addr:port, sends `message`,
// half-closes and returns everything the peer sends until it closes. Throws
// std::system_error carrying the errno when the connection fails (EACCES: a prohibit
// route), std::runtime_error when `timeout` passes first.
std::string ns_tcp_exchange(const std::string& ns, const std::string& addr, std::uint16_t port,
                            std::string_view message, std::chrono::milliseconds timeout);

// Runs `iperf3 -u -b bitrate -t seconds` from the sender namespace to an `iperf3 -s -1` in
// the receiver namespace and returns the throughput the receiver saw, in Mbit/s. iperf3
// needs its TCP control connection, so the back path must be open (std::logic_error
// otherwise); one measurement at a time per pair (fixed port 5201). Uses Boost.JSON:
// link Boost::json (sekisho_test_support does).
double iperf3_udp_mbps(const NetnsPair& pair, const std::string& bitrate, int seconds);

}  // namespace sekisho::test

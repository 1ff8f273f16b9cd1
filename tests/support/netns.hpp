#pragma once
// Two network namespaces joined by a veth pair, for testing the one-way UDP link with real
// loss, rate limits and a closed back path. Needs root, iproute2 (`ip`, `tc`, `ss`) and
// `iptables-legacy` (+ `-restore`); iperf3 for the throughput measurement.
//
// The link carries nothing the tests do not send: neighbour entries are static (no ARP)
// and IPv6 is off on the veth pair (no router/neighbour solicitations, no MLD), so the
// back-path counter counts exactly what the receiver side sent.
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
#include <vector>

namespace sekisho::test {

// Two network namespaces joined by a veth pair; removed with everything in them when the
// object dies. Names are "skt-<pid>-<n>-s" and "skt-<pid>-<n>-r"; namespaces left by a
// killed test process (its pid no longer exists) are removed by the next constructor.
// Runs `fn` on a thread that has joined namespace `ns` (pinned under /run/netns by
// `ip netns add`); setns(2) changes only the calling thread, so the rest of the process
// never leaves its own namespace. Exceptions from `fn` are rethrown here.
void in_netns(const std::string& ns, const std::function<void()>& fn);

class NetnsPair {
  public:
    // True when this process can build namespaces (root, `ip`, `tc`, `iptables-legacy`).
    static bool available();

    NetnsPair();   // throws std::runtime_error naming the failed command and its stderr
    ~NetnsPair();  // deletes both namespaces (the veth pair goes with them); never throws
    NetnsPair(const NetnsPair&) = delete;
    NetnsPair& operator=(const NetnsPair&) = delete;

    const std::string& sender_ns() const { return sender_ns_; }
    const std::string& receiver_ns() const { return receiver_ns_; }
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
    void build();
    void remove() noexcept;

    std::string sender_ns_;
    std::string receiver_ns_;
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

// Runs `iperf3 -u -b bitrate -t seconds` from the sender namespace to an `iperf3 -s -1` in
// the receiver namespace and returns the throughput the receiver saw, in Mbit/s. iperf3
// needs its TCP control connection, so the back path must be open (std::logic_error
// otherwise); one measurement at a time per pair (fixed port 5201). Uses Boost.JSON:
// link Boost::json (sekisho_test_support does).
double iperf3_udp_mbps(const NetnsPair& pair, const std::string& bitrate, int seconds);

}  // namespace sekisho::test

#pragma once
// A real IPsec tunnel for integration tests: two network namespaces, "gateway" (where
// Sekisho runs) and "server" (where the 中間サーバー simulator runs), joined by a veth pair
// (outer addresses 198.51.100.1 and .2/24), each running strongSwan's charon-systemd with
// the kernel-libipsec backend (userspace ESP, always encapsulated in UDP 4500, since the
// kernel may lack ESP), IKEv2 authenticated with RSA certificates of a CA the object makes.
//
// Inner addresses: 192.0.2.1/32 (gateway) and 192.0.2.2/32 (server), on each namespace's
// `lo`. While the CHILD_SA is up, charon routes the peer's inner address through the TUN
// device `ipsec0` (table 220, rule priority 220); a `prohibit` route for 192.0.2.0/24 in
// each main table makes traffic fail (EACCES) instead of leaving in clear when it is down.
// Servers in the server namespace should bind to `ipsec0` (SO_BINDTODEVICE, as NsTcpEcho
// does with a device) so that they never answer in clear either.
//
// Needs root, iproute2, charon-systemd, swanctl and the kernel-libipsec plugin (Debian:
// charon-systemd strongswan-swanctl libcharon-extra-plugins) and /dev/net/tun.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

// What a PacketCapture saw. IPv4 only counts as udp/tcp; everything else is `other`.
struct PacketCounts {
    std::uint64_t total = 0;
    std::uint64_t udp_500 = 0;     // IKE
    std::uint64_t udp_4500 = 0;    // IKE and ESP, UDP-encapsulated (NAT-T port)
    std::uint64_t esp_in_udp = 0;  // of udp_4500: ESP packets (not IKE, not keepalives)
    std::uint64_t tcp = 0;         // TCP in clear
    std::uint64_t other = 0;       // other IPv4, IPv6, ARP, ...
    std::uint64_t dropped = 0;     // not counted above: the capture buffer had no room

    // Everything seen was IKE or ESP-in-UDP.
    bool only_ipsec() const { return total == udp_500 + udp_4500; }
};

// Counts the packets a device sends and receives, from construction on: an AF_PACKET
// socket created in the device's namespace and bound to it; the kernel queues copies
// (16 MiB buffer) until counts() reads them. Needs root.
class PacketCapture {
  public:
    PacketCapture(const std::string& ns, const std::string& ifname);

    // Reads what is queued and returns the totals since construction.
    PacketCounts counts();

  private:
    UniqueFd fd_;
    PacketCounts counts_;
};

class IpsecTunnel {
  public:
    // True when this process can build the tunnel: root, `ip`, charon-systemd, swanctl, the
    // kernel-libipsec plugin and /dev/net/tun.
    static bool available();
    // What is missing for available(), for a test's skip message; empty when nothing is.
    static std::string missing();

    // Builds both namespaces, starts both charons, loads the configuration, initiates the
    // tunnel from the gateway and waits until a TCP exchange between the inner addresses
    // goes through it (about 0.3 s here). Throws std::runtime_error with the tails of both
    // charon logs on failure, having stopped and removed everything.
    IpsecTunnel();
    // Stops both charons (SIGTERM, SIGKILL after 3 s) and deletes both namespaces; never
    // throws. Namespaces of test processes that died are removed by the next constructor
    // (of this or any LinkedNamespaces user), with the daemons still running in them.
    ~IpsecTunnel();
    IpsecTunnel(const IpsecTunnel&) = delete;
    IpsecTunnel& operator=(const IpsecTunnel&) = delete;

    // Terminates the IKE SA (and with it the CHILD_SA) and waits until both sides have
    // removed their tunnel route: traffic between the inner addresses is then prohibited.
    void down();
    // Initiates the tunnel again and waits until a TCP exchange goes through it.
    void up();

    const std::string& gateway_ns() const { return link_.first_ns(); }
    const std::string& server_ns() const { return link_.second_ns(); }
    std::string gateway_inner() const;  // "192.0.2.1"
    std::string server_inner() const;   // "192.0.2.2"
    std::string gateway_outer() const;  // "198.51.100.1", on gateway_if()
    std::string server_outer() const;   // "198.51.100.2", on server_if()
    std::string gateway_if() const;     // the veth end in the gateway namespace ("veth-gw")
    std::string server_if() const;      // the veth end in the server namespace ("veth-srv")
    std::string tunnel_device() const;  // "ipsec0", in both namespaces

    // Captures what crosses the wire: gateway_if(), from now on.
    PacketCapture capture() const { return PacketCapture(gateway_ns(), gateway_if()); }

    // The last `lines` lines of both charon logs (and their stderr), for failure messages.
    std::string log_tail(std::size_t lines = 40) const;

  private:
    struct Side;

    void start();
    void wait_connected();
    void wait_routes_gone();
    void stop() noexcept;
    std::runtime_error failure(const std::string& what) const;
    void swanctl(const Side& side, const std::vector<std::string>& args) const;

    LinkedNamespaces link_;
    TempDir dir_;
    std::unique_ptr<Side> gateway_;
    std::unique_ptr<Side> server_;
};

}  // namespace sekisho::test

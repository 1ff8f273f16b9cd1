#include "tests/support/ipsec_tunnel.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/sim/pki.hpp"
#include "tests/support/process.hpp"

namespace sekisho::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kGatewayInner = "192.0.2.1";
constexpr const char* kServerInner = "192.0.2.2";
constexpr const char* kInnerRange = "192.0.2.0/24";
constexpr const char* kGatewayOuter = "198.51.100.1";
constexpr const char* kServerOuter = "198.51.100.2";
constexpr const char* kGatewayIf = "veth-gw";
constexpr const char* kServerIf = "veth-srv";
constexpr const char* kTunnelDevice = "ipsec0";  // kernel-libipsec's TUN device
constexpr const char* kTunnelTable = "220";      // where charon puts its routes
constexpr const char* kConnection = "tunnel";    // the IKE and CHILD config names
// Locally administered; the pair is alone on its link, so fixed addresses cannot clash.
const VethEnd kGatewayEnd{"gw", kGatewayIf, "02:00:c6:33:64:01", kGatewayOuter};
const VethEnd kServerEnd{"srv", kServerIf, "02:00:c6:33:64:02", kServerOuter};

constexpr const char* kLibipsecPlugin = "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so";
constexpr const char* kTunDevice = "/dev/net/tun";

// charon's plugins: exactly these (no search of the installed ones). gmp does RSA and the
// MODP groups (the openssl plugin is in libstrongswan-standard-plugins, not installed).
// Although nothing in the configuration names them: without kdf the IKE key derivation
// fails ("KDF_PRF with PRF_HMAC_SHA2_256 not supported"), without sha1 charon does not
// start ("failed to load 3 critical plugin features").
constexpr const char* kCharonPlugins =
    "random nonce x509 pem pkcs1 pkcs8 pubkey aes sha1 sha2 hmac kdf gmp kernel-libipsec "
    "kernel-netlink socket-default vici";
// swanctl parses the private keys itself before sending them to charon.
constexpr const char* kSwanctlPlugins = "pem pkcs1 pkcs8 gmp";
constexpr const char* kIkeProposal = "aes128-sha256-modp2048";
constexpr const char* kEspProposal = "aes128-sha256";

constexpr auto kStartLimit = 5s;     // until both vici sockets exist
constexpr auto kConnectLimit = 10s;  // until traffic goes through the tunnel
constexpr auto kStopLimit = 3s;      // SIGTERM, then SIGKILL

}  // namespace

struct IpsecTunnel::Side {
    std::string name;  // "gateway" or "server", for messages
    std::string ns;
    fs::path dir;  // SWANCTL_DIR: swanctl.conf, x509/, x509ca/, private/; also charon's files
    std::unique_ptr<Child> charon;

    fs::path strongswan_conf() const { return dir / "strongswan.conf"; }
    fs::path vici_socket() const { return dir / "charon.vici"; }
    fs::path log() const { return dir / "charon.log"; }
    fs::path err() const { return dir / "charon.err"; }
};

namespace {

std::string lines(std::initializer_list<std::string> lines) {
    std::string out;
    for (const auto& line : lines)
        out += line + "\n";
    return out;
}

// Both configuration files hold one setting per line: charon's parser does not take
// several settings on one line.
std::string strongswan_conf(const fs::path& log, const fs::path& vici_socket) {
    // charon-systemd reads its own section ("charon" only as a fallback). Without the
    // journal switched off it logs there too; the file log is what failure messages show.
    return lines({"charon-systemd {",
                  "    load = " + std::string(kCharonPlugins),
                  "    journal {",
                  "        default = -1",
                  "    }",
                  "    filelog {",
                  "        tunnel {",
                  "            path = " + log.string(),
                  "            flush_line = yes",
                  "            default = 1",
                  "        }",
                  "    }",
                  "    plugins {",
                  "        vici {",
                  "            socket = unix://" + vici_socket.string(),
                  "        }",
                  "    }",
                  "}",
                  "swanctl {",
                  "    load = " + std::string(kSwanctlPlugins),
                  "}"});
}

struct Addresses {
    std::string local_outer, remote_outer, local_inner, remote_inner, local_id, remote_id;
};

std::string swanctl_conf(const Addresses& a) {
    // Identities are DNS names in the certificates' subjectAltName: the subject DN would
    // have to be written exactly as the certificate has it (all RDNs, in order, quoted).
    const std::string name = kConnection;
    return lines({"connections {",
                  "    " + name + " {",
                  "        version = 2",
                  "        local_addrs = " + a.local_outer,
                  "        remote_addrs = " + a.remote_outer,
                  "        proposals = " + std::string(kIkeProposal),
                  "        local {",
                  "            auth = pubkey",
                  "            certs = cert.pem",
                  "            id = " + a.local_id,
                  "        }",
                  "        remote {",
                  "            auth = pubkey",
                  "            id = " + a.remote_id,
                  "        }",
                  "        children {",
                  "            " + name + " {",
                  "                local_ts = " + a.local_inner + "/32",
                  "                remote_ts = " + a.remote_inner + "/32",
                  "                esp_proposals = " + std::string(kEspProposal),
                  "            }",
                  "        }",
                  "    }",
                  "}"});
}

// The last `count` lines of `file`.
std::string tail(const fs::path& file, std::size_t count) {
    std::string text;
    try {
        text = read_file(file);
    } catch (const std::exception&) {
        return "(no " + file.filename().string() + ")\n";
    }
    std::vector<std::string> all;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        all.push_back(line);
    std::string out;
    for (auto i = all.size() > count ? all.size() - count : 0; i < all.size(); ++i)
        out += all[i] + "\n";
    return out;
}

bool has_tunnel_route(const std::string& ns) {
    const auto routes =
        run({system_tool("ip"), "-n", ns, "route", "show", "table", kTunnelTable}).out;
    return routes.find(std::string("dev ") + kTunnelDevice) != std::string::npos;
}

}  // namespace

// --- IpsecTunnel --------------------------------------------------------------------

std::string IpsecTunnel::missing() {
    std::string out;
    const auto add = [&](const std::string& what) { out += (out.empty() ? "" : ", ") + what; };
    if (::geteuid() != 0)
        add("root");
    for (const char* name : {"ip", "charon-systemd", "swanctl"}) {
        if (find_system_tool(name).empty())
            add(name);
    }
    if (::access(kLibipsecPlugin, R_OK) != 0)
        add(std::string(kLibipsecPlugin) + " (libcharon-extra-plugins)");
    if (::access(kTunDevice, R_OK | W_OK) != 0)
        add(kTunDevice);
    return out;
}

bool IpsecTunnel::available() {
    return missing().empty();
}

IpsecTunnel::IpsecTunnel() : link_(kGatewayEnd, kServerEnd) {
    // On failure, the members (link_ last) remove what was made; stop() ends the daemons
    // first so that the namespaces can go.
    try {
        start();
        up();
    } catch (...) {
        stop();
        throw;
    }
}

IpsecTunnel::~IpsecTunnel() {
    stop();
}

void IpsecTunnel::start() {
    gateway_ = std::make_unique<Side>(Side{"gateway", gateway_ns(), dir_ / "gateway", nullptr});
    server_ = std::make_unique<Side>(Side{"server", server_ns(), dir_ / "server", nullptr});
    const Addresses gateway{kGatewayOuter, kServerOuter,          kGatewayInner,
                            kServerInner,  "gateway.tunnel.test", "server.tunnel.test"};
    const Addresses server{kServerOuter,  kGatewayOuter,        kServerInner,
                           kGatewayInner, "server.tunnel.test", "gateway.tunnel.test"};

    // 1024-bit RSA keys: the tunnel carries test data only, and a 2048-bit key takes 0.1 to
    // 0.8 s to generate on these machines against about 20 ms (three keys per tunnel). Not
    // ECDSA: charon verifies it only with the openssl plugin, which is not installed.
    sim::CertOptions ca_options;
    ca_options.common_name = "skt-tunnel-ca";
    ca_options.ca = true;
    ca_options.key = sim::KeyType::rsa1024;
    const auto ca = sim::make_cert(ca_options, nullptr);
    for (const auto& [side, addresses] :
         {std::pair{gateway_.get(), gateway}, {server_.get(), server}}) {
        // Inner address on lo; the prohibit route keeps traffic off the wire without the tunnel.
        run_checked({system_tool("ip"), "-n", side->ns, "-batch", "-"}, {},
                    "addr add " + addresses.local_inner + "/32 dev lo\nroute add prohibit " +
                        kInnerRange + "\n");
        for (const char* sub : {"x509", "x509ca", "private"})
            fs::create_directories(side->dir / sub);
        sim::CertOptions options;
        options.key = sim::KeyType::rsa1024;
        options.common_name = addresses.local_id;
        options.dns_names = {addresses.local_id};
        sim::make_cert(options, &ca)
            .write(side->dir / "x509" / "cert.pem", side->dir / "private" / "key.pem");
        write_file(side->dir / "x509ca" / "ca.pem", ca.cert_pem());
        write_file(side->strongswan_conf(), strongswan_conf(side->log(), side->vici_socket()));
        write_file(side->dir / "swanctl.conf", swanctl_conf(addresses));
    }

    // charon-systemd, not /usr/lib/ipsec/charon: the latter's pid file path is fixed, so
    // two of them cannot run at once. No NOTIFY_SOCKET: it must not talk to our manager.
    for (auto* side : {gateway_.get(), server_.get()}) {
        side->charon = std::make_unique<Child>(
            NetnsPair::in_ns(side->ns, {system_tool("charon-systemd")}),
            std::map<std::string, std::string>{{"STRONGSWAN_CONF", side->strongswan_conf()},
                                               {"NOTIFY_SOCKET", ""}},
            side->err());
    }
    const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
    for (auto* side : {gateway_.get(), server_.get()}) {
        while (!fs::is_socket(side->vici_socket())) {
            if (!side->charon->running())
                throw failure("charon-systemd in " + side->ns + " ended before opening vici");
            if (std::chrono::steady_clock::now() >= deadline)
                throw failure("charon-systemd in " + side->ns + " has no vici socket after 5 s");
            std::this_thread::sleep_for(5ms);
        }
    }
    // The responder first: the initiator's first message must find it configured.
    swanctl(*server_, {"--load-all"});
    swanctl(*gateway_, {"--load-all"});
}

void IpsecTunnel::up() {
    // Returns once the CHILD_SA is established on the initiator (the responder installs
    // its own before answering).
    swanctl(*gateway_,
            {"--initiate", "--ike", kConnection, "--child", kConnection, "--timeout", "10"});
    wait_connected();
}

void IpsecTunnel::down() {
    swanctl(*gateway_, {"--terminate", "--ike", kConnection, "--timeout", "10"});
    wait_routes_gone();
}

void IpsecTunnel::wait_connected() {
    const auto deadline = std::chrono::steady_clock::now() + kConnectLimit;
    const auto expired = [&] { return std::chrono::steady_clock::now() >= deadline; };
    while (!has_tunnel_route(gateway_ns()) || !has_tunnel_route(server_ns())) {
        if (expired())
            throw failure("no route through " + std::string(kTunnelDevice) + " in table " +
                          kTunnelTable + " of both namespaces after 10 s");
        std::this_thread::sleep_for(5ms);
    }
    // Bound to the tunnel device, as the simulator is: an answer proves the tunnel works.
    const NsTcpEcho echo(server_ns(), kServerInner, kTunnelDevice);
    const std::string probe = "sekisho tunnel probe";
    std::string last_error;
    for (;;) {
        try {
            if (ns_tcp_exchange(gateway_ns(), kServerInner, echo.port(), probe, 500ms) == probe)
                return;
            last_error = "the echo answered something else";
        } catch (const std::exception& e) {
            last_error = e.what();
        }
        if (expired())
            throw failure("the tunnel passes no traffic after 10 s: " + last_error);
        std::this_thread::sleep_for(10ms);
    }
}

void IpsecTunnel::wait_routes_gone() {
    const auto deadline = std::chrono::steady_clock::now() + kConnectLimit;
    while (has_tunnel_route(gateway_ns()) || has_tunnel_route(server_ns())) {
        if (std::chrono::steady_clock::now() >= deadline)
            throw failure("tunnel routes still in table " + std::string(kTunnelTable) +
                          " 10 s after terminating the IKE SA");
        std::this_thread::sleep_for(5ms);
    }
}

void IpsecTunnel::stop() noexcept {
    std::vector<Side*> sides;
    for (auto* side : {gateway_.get(), server_.get()}) {
        if (side != nullptr && side->charon && side->charon->running()) {
            side->charon->signal(SIGTERM);
            sides.push_back(side);
        }
    }
    const auto deadline = std::chrono::steady_clock::now() + kStopLimit;
    for (auto* side : sides) {
        try {
            side->charon->wait(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
        } catch (...) {
            // Destroying the Child below kills it anyway.
        }
        side->charon.reset();  // SIGKILL if it is still running
    }
}

void IpsecTunnel::swanctl(const Side& side, const std::vector<std::string>& args) const {
    std::vector<std::string> argv{system_tool("swanctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--uri", "unix://" + side.vici_socket().string()});
    try {
        run_checked(argv, {{"SWANCTL_DIR", side.dir.string()},
                           {"STRONGSWAN_CONF", side.strongswan_conf().string()}});
    } catch (const std::runtime_error& e) {
        throw failure(side.name + ": " + e.what());
    }
}

std::runtime_error IpsecTunnel::failure(const std::string& what) const {
    return std::runtime_error("IPsec test tunnel: " + what + "\n" + log_tail());
}

std::string IpsecTunnel::log_tail(std::size_t lines) const {
    std::string out;
    for (const auto* side : {gateway_.get(), server_.get()}) {
        if (side == nullptr)
            continue;
        out += "--- charon log, " + side->name + " (" + side->ns + ") ---\n" +
               tail(side->log(), lines) + "--- charon stderr, " + side->name + " ---\n" +
               tail(side->err(), lines);
    }
    return out;
}

std::string IpsecTunnel::gateway_inner() const {
    return kGatewayInner;
}
std::string IpsecTunnel::server_inner() const {
    return kServerInner;
}
std::string IpsecTunnel::gateway_outer() const {
    return kGatewayOuter;
}
std::string IpsecTunnel::server_outer() const {
    return kServerOuter;
}
std::string IpsecTunnel::gateway_if() const {
    return kGatewayIf;
}
std::string IpsecTunnel::server_if() const {
    return kServerIf;
}
std::string IpsecTunnel::tunnel_device() const {
    return kTunnelDevice;
}

// --- PacketCapture ------------------------------------------------------------------

namespace {

constexpr std::uint16_t kIkePort = 500;
constexpr std::uint16_t kNatTPort = 4500;

std::uint16_t be16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

void classify(std::uint16_t protocol, const unsigned char* p, std::size_t len,
              PacketCounts& counts) {
    ++counts.total;
    if (protocol != ETH_P_IP || len < 20 || (p[0] >> 4) != 4) {
        ++counts.other;
        return;
    }
    const std::size_t header = (p[0] & 0x0fu) * 4u;
    const bool first_fragment = (be16(p + 6) & 0x1fffu) == 0;
    if (p[9] == IPPROTO_TCP) {
        ++counts.tcp;
        return;
    }
    if (p[9] != IPPROTO_UDP || !first_fragment || len < header + 8) {
        ++counts.other;
        return;
    }
    const auto* udp = p + header;
    const auto sport = be16(udp);
    const auto dport = be16(udp + 2);
    if (sport == kIkePort || dport == kIkePort) {
        ++counts.udp_500;
    } else if (sport == kNatTPort || dport == kNatTPort) {
        ++counts.udp_4500;
        // RFC 3948: IKE starts with a zero non-ESP marker, a keepalive is one 0xff byte;
        // ESP starts with its (non-zero) SPI.
        const auto* payload = udp + 8;
        if (len >= header + 12 && (payload[0] | payload[1] | payload[2] | payload[3]) != 0)
            ++counts.esp_in_udp;
    } else {
        ++counts.other;
    }
}

}  // namespace

PacketCapture::PacketCapture(const std::string& ns, const std::string& ifname)
    // Protocol 0 receives nothing until bind names the device and ETH_P_ALL: no packet of
    // another device can slip in before.
    : fd_(socket_in_netns(ns, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
    unsigned index = 0;
    in_netns(ns, [&] { index = ::if_nametoindex(ifname.c_str()); });
    if (index == 0)
        throw std::runtime_error("no device " + ifname + " in " + ns);
    const int size = 16 << 20;
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);  // best effort
    sockaddr_ll where{};
    where.sll_family = AF_PACKET;
    where.sll_protocol = htons(ETH_P_ALL);
    where.sll_ifindex = static_cast<int>(index);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&where), sizeof where) != 0)
        throw std::runtime_error("bind AF_PACKET to " + ifname + " in " + ns + ": " +
                                 std::strerror(errno));
}

PacketCounts PacketCapture::counts() {
    // The headers are enough: MSG_TRUNC still reports the packet's full length.
    std::array<unsigned char, 256> buf{};
    for (;;) {
        sockaddr_ll from{};
        socklen_t from_len = sizeof from;
        const ssize_t n = ::recvfrom(fd_.get(), buf.data(), buf.size(), MSG_TRUNC,
                                     reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0)
            throw std::runtime_error(std::string("recvfrom AF_PACKET: ") + std::strerror(errno));
        const auto len = std::min(static_cast<std::size_t>(n), buf.size());
        classify(ntohs(from.sll_protocol), buf.data(), len, counts_);
    }
    tpacket_stats stats{};  // reading resets the kernel's counters
    socklen_t stats_len = sizeof stats;
    if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &stats, &stats_len) == 0)
        counts_.dropped += stats.tp_drops;
    return counts_;
}

}  // namespace sekisho::test

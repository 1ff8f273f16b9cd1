// The IPsec path check against a real tunnel: strongSwan (kernel-libipsec, IKEv2 with
// certificates) between a gateway and a server namespace (tests/support/ipsec_tunnel.hpp).
// check_path runs inside the gateway namespace, as the daemon would; the server side is a
// TCP echo bound to the tunnel device, as the simulator is. Needs root and strongSwan:
// without them every case warns and passes.

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <catch2/catch.hpp>

#include "adapters/chukan/ipsec_check.hpp"
#include "tests/support/ipsec_tunnel.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using sekisho::chukan::check_path;
using sekisho::chukan::parse_ipsec_check;
using sekisho::chukan::PathVerdict;
using sekisho::test::IpsecTunnel;
using sekisho::test::NsTcpEcho;
using sekisho::test::PacketCounts;
using sekisho::test::run;
using sekisho::test::system_tool;

namespace {

bool skip_without_tunnel() {
    if (IpsecTunnel::available())
        return false;
    WARN("skipped: the IPsec test tunnel needs " << IpsecTunnel::missing());
    return true;
}

// check_path(mode, server_inner) as the daemon would run it in the gateway namespace.
PathVerdict check(const IpsecTunnel& tunnel, const std::string& mode) {
    PathVerdict verdict;
    sekisho::test::in_netns(tunnel.gateway_ns(), [&] {
        verdict = check_path(parse_ipsec_check(mode),
                             boost::asio::ip::make_address(tunnel.server_inner()));
    });
    return verdict;
}

struct Exchange {
    std::string reply;
    std::error_code error;  // of a failed connection
};

// A TCP exchange from the gateway to an echo bound to the tunnel device in the server
// namespace.
Exchange exchange(const IpsecTunnel& tunnel, const std::string& message) {
    const NsTcpEcho echo(tunnel.server_ns(), tunnel.server_inner(), tunnel.tunnel_device());
    try {
        return {sekisho::test::ns_tcp_exchange(tunnel.gateway_ns(), tunnel.server_inner(),
                                               echo.port(), message, 3s),
                {}};
    } catch (const std::system_error& e) {
        UNSCOPED_INFO(e.what());
        return {{}, e.code()};
    }
}

std::string describe(const PacketCounts& seen) {
    return std::to_string(seen.total) + " packets: " + std::to_string(seen.udp_500) + " UDP 500, " +
           std::to_string(seen.udp_4500) + " UDP 4500 (" + std::to_string(seen.esp_in_udp) +
           " ESP), " + std::to_string(seen.tcp) + " TCP, " + std::to_string(seen.other) +
           " other; " + std::to_string(seen.dropped) + " not captured";
}

void expect_through_tunnel(const IpsecTunnel& tunnel) {
    const auto verdict = check(tunnel, "interface:" + tunnel.tunnel_device());
    INFO("why: " << verdict.why);
    CHECK(verdict.protected_path);
    CHECK_THAT(verdict.why, Catch::Contains("route to 192.0.2.2 goes out through ipsec0"));

    auto capture = tunnel.capture();
    const std::string message(20000, 'x');  // several segments, so several ESP packets
    const auto done = exchange(tunnel, message);
    CHECK(done.reply == message);
    CHECK_FALSE(done.error);
    const PacketCounts seen = capture.counts();
    INFO("on " << tunnel.gateway_if() << ": " << describe(seen));
    CHECK(seen.dropped == 0);
    CHECK(seen.esp_in_udp >= 4);  // the exchange itself, encrypted
    CHECK(seen.tcp == 0);         // nothing in clear
    CHECK(seen.only_ipsec());
}

}  // namespace

TEST_CASE("through the tunnel: the route check says protected and only ESP-in-UDP is on the wire",
          "[chukan][ipsec][tunnel]") {
    if (skip_without_tunnel())
        return;
    const auto began = std::chrono::steady_clock::now();
    IpsecTunnel tunnel;
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    INFO("bring-up took " << took.count() << " ms");
    CHECK(took < 5s);
    expect_through_tunnel(tunnel);
}

TEST_CASE("tunnel down: the route check refuses and says why and up() protects again",
          "[chukan][ipsec][tunnel]") {
    if (skip_without_tunnel())
        return;
    IpsecTunnel tunnel;
    tunnel.down();
    {
        const auto verdict = check(tunnel, "interface:ipsec0");
        INFO("why: " << verdict.why);
        CHECK_FALSE(verdict.protected_path);
        CHECK(verdict.why == "route to 192.0.2.2 is prohibited");

        // The prohibit route refuses the connection at once: nothing leaves, in clear or not.
        auto capture = tunnel.capture();
        const auto done = exchange(tunnel, "hello");
        CHECK(done.error == std::errc::permission_denied);
        CHECK(done.reply.empty());
        const auto seen = capture.counts();
        INFO("on " << tunnel.gateway_if() << ": " << describe(seen));
        CHECK(seen.total == 0);
    }
    tunnel.up();
    expect_through_tunnel(tunnel);
}

TEST_CASE("interface: naming another device is refused while the tunnel is up",
          "[chukan][ipsec][tunnel]") {
    if (skip_without_tunnel())
        return;
    IpsecTunnel tunnel;
    for (const auto& device : {tunnel.gateway_if(), std::string("lo")}) {
        const auto verdict = check(tunnel, "interface:" + device);
        INFO("why: " << verdict.why);
        CHECK_FALSE(verdict.protected_path);
        CHECK(verdict.why == "route to 192.0.2.2 goes out through ipsec0, not through " + device);
    }
    // kernel-libipsec installs no XFRM policy: the xfrm mode cannot see this tunnel, and
    // says so rather than trusting it.
    const auto verdict = check(tunnel, "xfrm");
    INFO("why: " << verdict.why);
    CHECK_FALSE(verdict.protected_path);
    CHECK_THAT(verdict.why, Catch::StartsWith("no outbound XFRM policy covers 192.0.2.2"));
}

TEST_CASE("the tunnel's destructor stops both charons and removes both namespaces",
          "[chukan][ipsec][tunnel]") {
    if (skip_without_tunnel())
        return;
    std::vector<std::string> namespaces;
    std::vector<pid_t> daemons;
    {
        IpsecTunnel tunnel;
        for (const auto& ns : {tunnel.gateway_ns(), tunnel.server_ns()}) {
            namespaces.push_back(ns);
            std::istringstream pids(run({system_tool("ip"), "netns", "pids", ns}).out);
            for (pid_t pid = 0; pids >> pid;)
                daemons.push_back(pid);
        }
        CHECK(daemons.size() == 2);  // one charon-systemd each
    }
    const auto listed = run({system_tool("ip"), "netns", "list"}).out;
    for (const auto& ns : namespaces)
        CHECK_THAT(listed, !Catch::Contains(ns));
    for (const auto pid : daemons) {
        INFO("pid " << pid);
        CHECK((::kill(pid, 0) != 0 && errno == ESRCH));
    }
}

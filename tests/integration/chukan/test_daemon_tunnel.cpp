// sekishod's 中間サーバー source through a real IPsec tunnel (strongSwan, kernel-libipsec,
// IKEv2 with certificates; tests/support/ipsec_tunnel.hpp): sekishod and the core-side
// receiver run in the gateway namespace, the simulator in the server namespace bound to
// the tunnel device. Results flow through the tunnel and only IKE/ESP-in-UDP is on the
// wire; with the tunnel down sekishod does not connect and says why, and goes on once it
// is up again. Needs root and strongSwan: without them every case warns and passes.

#include "tests/integration/chukan/chukan_daemon_fixture.hpp"
#include "tests/support/ipsec_tunnel.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> in_ns(const std::string& ns) {
    return {test::system_tool("ip"), "netns", "exec", ns};
}

std::size_t acked(const test::ChukanSim& sim) {
    std::size_t n = 0;
    for (const auto& r : sim.calls("POST", "/ack"))
        n += r.at("status").to_number<int>() == 204 ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("results come through the IPsec tunnel, and not at all while it is down",
          "[chukan][daemon][tunnel]") {
    if (!test::IpsecTunnel::available()) {
        WARN("skipped: the IPsec test tunnel needs " << test::IpsecTunnel::missing());
        return;
    }
    test::IpsecTunnel tunnel;
    test::ChukanDaemonFixture f;
    f.sim.prefix = in_ns(tunnel.server_ns());
    f.sim.host = tunnel.server_inner();
    f.daemon_prefix = in_ns(tunnel.gateway_ns());
    f.link.recv_prefix = in_ns(tunnel.gateway_ns());
    f.link.start_receiver();
    const auto first = f.sim.add_results(1);
    auto capture = tunnel.capture();
    f.sim.start({"--bind-device", tunnel.tunnel_device()});
    f.write_config("interface:" + tunnel.tunnel_device(),
                   "[release]\nauto = [{ source = \"chukan\", forms = [\"SHIKAKU-REG-RES\", "
                   "\"SHOKAI-RES\"] }]\n");
    f.start_daemon();
    const auto taken = [&](std::size_t n) { return [&f, n] { return acked(f.sim) >= n; }; };
    if (!test::DaemonRun::wait(60s, taken(first.size())))
        FAIL("results did not come through the tunnel\n" << f.logs() << tunnel.log_tail());
    // SHIKAKU-REG-RES and SHOKAI-RES are released by the policy and reach the core inbox.
    if (!test::DaemonRun::wait(60s, [&] { return f.delivered().size() >= 2; }))
        FAIL("results did not reach the core inbox\n" << f.logs());
    const auto wire = capture.counts();
    INFO("packets " << wire.total << ", udp/500 " << wire.udp_500 << ", udp/4500 " << wire.udp_4500
                    << ", esp " << wire.esp_in_udp << ", tcp " << wire.tcp << ", other "
                    << wire.other);
    CHECK(wire.esp_in_udp > 0);
    CHECK(wire.tcp == 0);
    CHECK(wire.only_ipsec());

    // Down: no connection is even tried, and the status says why.
    tunnel.down();
    const auto calls_before = f.sim.records().size();
    const auto second = f.sim.add_results(1, false, 2);
    const auto refused = [&] {
        return test::read_file(f.daemon_log()).find("IPsec path is not protected") !=
               std::string::npos;
    };
    if (!test::DaemonRun::wait(60s, refused))
        FAIL("no refusal logged with the tunnel down\n" << f.logs());
    const auto status = f.ctl({"--json", "status"});
    INFO(status.out << status.err);
    CHECK(status.out.find("prohibited") != std::string::npos);
    std::this_thread::sleep_for(3s);
    CHECK(f.sim.records().size() == calls_before);

    // Up again: the waiting results come through.
    tunnel.up();
    if (!test::DaemonRun::wait(90s, taken(first.size() + second.size())))
        FAIL("results did not come through after the tunnel came back\n" << f.logs());
    // Said when the cycle that took them ends, which may be after the service saw them.
    const auto said_again = [&] {
        return test::read_file(f.daemon_log()).find("protected again") != std::string::npos;
    };
    CHECK(test::DaemonRun::wait(30s, said_again));
}

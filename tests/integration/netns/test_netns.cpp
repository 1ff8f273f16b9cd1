// The tooling the one-way link is tested with: two network namespaces joined by a veth
// pair (tests/support/netns.hpp) with iptables loss, a closed back path and a tbf rate,
// and oneway_relay for reordering and duplication. Real namespaces, real processes.
// Building namespaces needs root: without it every case warns and passes.

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho::test;
using namespace std::chrono_literals;

namespace {

bool skip_without_netns() {
    if (NetnsPair::available())
        return false;
    WARN("skipped: needs root, ip, tc and iptables-legacy");
    return true;
}

// The names `ip netns list` shows (each line: "NAME" or "NAME (id: N)").
std::set<std::string> listed_namespaces() {
    const auto done = run({"/bin/bash", "-c", "ip netns list"});
    REQUIRE(done.exit_code == 0);
    std::set<std::string> names;
    std::istringstream in(done.out);
    for (std::string line; std::getline(in, line);)
        names.insert(line.substr(0, line.find(' ')));
    return names;
}

// Everything that arrives until the socket has been quiet for `quiet`.
std::vector<std::string> drain(const NsUdpSocket& socket, std::chrono::milliseconds quiet) {
    std::vector<std::string> got;
    while (auto datagram = socket.receive(quiet))
        got.push_back(std::move(*datagram));
    return got;
}

std::map<std::string, std::uint64_t> parse_stats(const std::string& text) {
    std::map<std::string, std::uint64_t> stats;
    std::istringstream in(text);
    std::string name;
    std::uint64_t value = 0;
    while (in >> name >> value)
        stats[name] = value;
    return stats;
}

// oneway_relay running inside a namespace, stopped with SIGTERM by stop().
class RelayProcess {
  public:
    RelayProcess(const std::string& ns, std::vector<std::string> args, const TempDir& dir)
        : err_(dir / "relay.err"), stats_(dir / "relay.stats"), child_(argv(ns, args), {}, err_) {
        wait_ready();
    }

    // Stops the relay and returns what it wrote to --stats.
    std::string stop() {
        child_.signal(SIGTERM);
        const auto code = child_.wait(5s);
        INFO(read_file(err_));
        REQUIRE(code == std::optional<int>(0));
        return read_file(stats_);
    }

  private:
    std::vector<std::string> argv(const std::string& ns, std::vector<std::string> args) const {
        args.insert(args.begin(), program("oneway_relay").string());
        args.insert(args.end(), {"--stats", stats_.string()});
        return NetnsPair::in_ns(ns, args);
    }

    // The relay says so on stderr once its socket is bound.
    void wait_ready() {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (read_file(err_).find("listening on") == std::string::npos) {
            INFO(read_file(err_));
            REQUIRE(child_.running());
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(10ms);
        }
    }

    std::filesystem::path err_;
    std::filesystem::path stats_;
    Child child_;
};

void send_sequence(const NsUdpSocket& from, const std::string& addr, std::uint16_t port, int n) {
    for (int i = 0; i < n; ++i)
        from.send_to(addr, port, std::to_string(i));
}

}  // namespace

TEST_CASE("the two namespaces reach each other over the veth pair, lo is up in both") {
    if (skip_without_netns())
        return;
    NetnsPair pair;
    CHECK(pair.sender_ns().starts_with("skt-" + std::to_string(::getpid()) + "-"));
    NsUdpSocket receiver(pair.receiver_ns(), pair.receiver_addr(), 9000);
    // A real process in the sender namespace.
    const auto sent = run(NetnsPair::in_ns(
        pair.sender_ns(),
        {"bash", "-c", "echo hello > /dev/udp/" + pair.receiver_addr() + "/9000"}));
    INFO(sent.err);
    REQUIRE(sent.exit_code == 0);
    CHECK(receiver.receive(2s).value_or("<nothing>") == "hello\n");

    for (const auto& ns : {pair.sender_ns(), pair.receiver_ns()}) {
        NsUdpSocket local(ns, "127.0.0.1");
        local.send_to("127.0.0.1", local.port(), "lo");
        CHECK(local.receive(1s).value_or("<nothing>") == "lo");
    }
    const auto shown = run(NetnsPair::in_ns(
        pair.sender_ns(), {"ip", "-o", "-4", "addr", "show", "dev", pair.sender_if()}));
    CHECK_THAT(shown.out, Catch::Contains(pair.sender_addr() + "/24"));
}

TEST_CASE("set_loss(0.5) drops about half of the UDP datagrams, counted by loss_drops") {
    if (skip_without_netns())
        return;
    NetnsPair pair;
    NsUdpSocket receiver(pair.receiver_ns(), pair.receiver_addr(), 9001);
    NsUdpSocket sender(pair.sender_ns(), pair.sender_addr());
    pair.set_loss(0.5);
    send_sequence(sender, pair.receiver_addr(), 9001, 2000);
    const auto received = drain(receiver, 300ms).size();
    const auto dropped = pair.loss_drops();
    INFO("received " << received << ", dropped " << dropped);
    CHECK(dropped >= 700);
    CHECK(dropped <= 1300);
    CHECK(received + dropped == 2000);

    // 0 removes the rule; the count so far stays.
    pair.set_loss(0);
    send_sequence(sender, pair.receiver_addr(), 9001, 100);
    CHECK(drain(receiver, 300ms).size() == 100);
    CHECK(pair.loss_drops() == dropped);
    CHECK_THROWS_AS(pair.set_loss(1.5), std::invalid_argument);
}

TEST_CASE("drop_back_path(true) lets nothing reach the sender namespace") {
    if (skip_without_netns())
        return;
    NetnsPair pair;
    NsUdpSocket at_sender(pair.sender_ns(), pair.sender_addr(), 9002);
    NsUdpSocket at_receiver(pair.receiver_ns(), pair.receiver_addr(), 9003);
    pair.drop_back_path(true);
    CHECK(pair.back_path_dropped());
    const auto back = run(
        NetnsPair::in_ns(pair.receiver_ns(),
                         {"bash", "-c", "echo back > /dev/udp/" + pair.sender_addr() + "/9002"}));
    REQUIRE(back.exit_code == 0);
    for (int i = 0; i < 4; ++i)
        at_receiver.send_to(pair.sender_addr(), 9002, "back");
    CHECK_FALSE(at_sender.receive(300ms).has_value());
    // Exactly five: nothing else (ARP, IPv6 solicitations) crosses the link.
    CHECK(pair.back_path_drops() == 5);

    // The forward path still works, and answering it sends nothing back.
    at_sender.send_to(pair.receiver_addr(), 9003, "forward");
    CHECK(at_receiver.receive(2s).value_or("<nothing>") == "forward");
    CHECK(pair.back_path_drops() == 5);

    pair.drop_back_path(false);
    at_receiver.send_to(pair.sender_addr(), 9002, "open");
    CHECK(at_sender.receive(2s).value_or("<nothing>") == "open");
    CHECK(pair.back_path_drops() == 5);
}

TEST_CASE("oneway_relay forwards everything in order with reorder and duplicate at 0") {
    if (skip_without_netns())
        return;
    NetnsPair pair;
    TempDir dir;
    pair.drop_back_path(true);
    NsUdpSocket receiver(pair.receiver_ns(), pair.receiver_addr(), 7001);
    RelayProcess relay(pair.sender_ns(), {"--listen", "127.0.0.1:7000", "--to", "192.0.2.2:7001"},
                       dir);
    NsUdpSocket source(pair.sender_ns(), "127.0.0.1");
    send_sequence(source, "127.0.0.1", 7000, 1000);

    std::vector<std::string> expected;
    for (int i = 0; i < 1000; ++i)
        expected.push_back(std::to_string(i));
    CHECK(drain(receiver, 300ms) == expected);
    CHECK(relay.stop() == "received 1000\nforwarded 1000\nreordered 0\nduplicated 0\n");
    CHECK_FALSE(source.receive(0ms).has_value());  // nothing back to the source
    CHECK(pair.back_path_drops() == 0);
}

namespace {

struct Arrivals {
    std::size_t total = 0;
    std::size_t distinct = 0;
    std::size_t duplicates = 0;    // arrivals of a number already seen
    std::size_t out_of_order = 0;  // arrivals below the highest number seen before
};

Arrivals classify(const std::vector<std::string>& got) {
    Arrivals a;
    std::set<int> seen;
    int highest = -1;
    for (const auto& payload : got) {
        const int n = std::stoi(payload);
        a.duplicates += seen.contains(n) ? 1 : 0;
        a.out_of_order += n < highest ? 1 : 0;
        highest = std::max(highest, n);
        seen.insert(n);
    }
    a.total = got.size();
    a.distinct = seen.size();
    return a;
}

// One relay run over 2,000 numbered datagrams: what arrived and the relay's counters.
std::pair<Arrivals, std::string> relay_run(const NetnsPair& pair, const std::string& seed) {
    TempDir dir;
    NsUdpSocket receiver(pair.receiver_ns(), pair.receiver_addr(), 7001);
    RelayProcess relay(pair.sender_ns(),
                       {"--listen", "127.0.0.1:7000", "--to", "192.0.2.2:7001", "--reorder", "0.2",
                        "--window", "8", "--duplicate", "0.1", "--seed", seed},
                       dir);
    NsUdpSocket source(pair.sender_ns(), "127.0.0.1");
    send_sequence(source, "127.0.0.1", 7000, 2000);
    const auto arrivals = classify(drain(receiver, 300ms));
    return {arrivals, relay.stop()};
}

}  // namespace

TEST_CASE("oneway_relay reorders and duplicates as asked, the same way for the same --seed") {
    if (skip_without_netns())
        return;
    NetnsPair pair;
    const auto [arrivals, stats_text] = relay_run(pair, "42");
    auto stats = parse_stats(stats_text);
    INFO(stats_text);
    CHECK(stats["received"] == 2000);
    CHECK(stats["reordered"] >= 300);  // 400 expected
    CHECK(stats["reordered"] <= 500);
    CHECK(stats["duplicated"] >= 120);  // 200 expected
    CHECK(stats["duplicated"] <= 280);
    CHECK(stats["forwarded"] == 2000 + stats["duplicated"]);

    CHECK(arrivals.distinct == 2000);  // nothing lost
    CHECK(arrivals.total == stats["forwarded"]);
    CHECK(arrivals.duplicates == stats["duplicated"]);
    CHECK(arrivals.out_of_order > 0);

    // The choices follow the seed alone (timing can only move the 50 ms flushes).
    CHECK(relay_run(pair, "42").second == stats_text);
    CHECK(relay_run(pair, "43").second != stats_text);
}

TEST_CASE("oneway_relay refuses bad arguments with exit 2 and says why") {
    const auto relay = program("oneway_relay").string();
    const std::vector<std::string> ok{"--listen", "127.0.0.1:9", "--to", "127.0.0.1:9"};
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--to", "127.0.0.1:9"}, "--listen and --to are required"},
        {{"--listen", "localhost:9", "--to", "127.0.0.1:9"}, "--listen wants IPV4:PORT"},
        {{"--listen", "127.0.0.1:9", "--to", "127.0.0.1:0"}, "--to wants IPV4:PORT"},
        {{"--listen", "127.0.0.1:70000", "--to", "127.0.0.1:9"}, "--listen wants IPV4:PORT"},
        {{"--reorder", "1.5"}, "--reorder wants a probability from 0 to 1"},
        {{"--duplicate", "x"}, "--duplicate wants a probability from 0 to 1"},
        {{"--window", "0"}, "--window wants a whole number >= 1"},
        {{"--seed", "-1"}, "--seed wants a whole number"},
        {{"--stats"}, "--stats needs a value"},
        {{"--bogus", "1"}, "unknown option \"--bogus\""},
    };
    for (const auto& [args, says] : cases) {
        std::vector<std::string> argv{relay};
        if (args[0] != "--to" && args[0] != "--listen")
            argv.insert(argv.end(), ok.begin(), ok.end());
        argv.insert(argv.end(), args.begin(), args.end());
        const auto done = run(argv);
        INFO(done.err);
        CHECK(done.exit_code == 2);
        CHECK_THAT(done.err, Catch::Contains(says) && Catch::Contains("usage: oneway_relay"));
    }
    CHECK(run({relay, "--help"}).exit_code == 0);
}

TEST_CASE("the destructor removes both namespaces") {
    if (skip_without_netns())
        return;
    std::string sender_ns;
    std::string receiver_ns;
    {
        NetnsPair pair;
        sender_ns = pair.sender_ns();
        receiver_ns = pair.receiver_ns();
        const auto listed = listed_namespaces();
        CHECK(listed.contains(sender_ns));
        CHECK(listed.contains(receiver_ns));
    }
    const auto listed = listed_namespaces();
    CHECK_FALSE(listed.contains(sender_ns));
    CHECK_FALSE(listed.contains(receiver_ns));
}

TEST_CASE("a new NetnsPair removes the namespaces of test processes that died") {
    if (skip_without_netns())
        return;
    TempDir dir;
    Child gone({"/bin/true"}, {}, dir / "true.err");
    REQUIRE(gone.wait(5s) == std::optional<int>(0));
    const auto leftover = "skt-" + std::to_string(gone.pid()) + "-0-r";
    REQUIRE(run({"/bin/bash", "-c", "ip netns add " + leftover}).exit_code == 0);
    REQUIRE(listed_namespaces().contains(leftover));
    NetnsPair pair;
    CHECK_FALSE(listed_namespaces().contains(leftover));
}

TEST_CASE("iperf3 between the namespaces sees the rate set by set_rate") {
    if (skip_without_netns())
        return;
    NetnsPair pair;
    pair.drop_back_path(true);
    CHECK_THROWS_AS(iperf3_udp_mbps(pair, "200M", 1), std::logic_error);
    pair.drop_back_path(false);

    pair.set_rate("100mbit");
    const double mbps = iperf3_udp_mbps(pair, "200M", 2);
    INFO(mbps << " Mbit/s");
    CHECK(mbps > 50);
    CHECK(mbps < 110);

    CHECK_THROWS_AS(pair.set_rate("fast"), std::invalid_argument);
    pair.set_rate("");
    const auto qdisc =
        run(NetnsPair::in_ns(pair.sender_ns(), {"tc", "qdisc", "show", "dev", pair.sender_if()}));
    CHECK_THAT(qdisc.out, !Catch::Contains("tbf"));
}

// sekisho-send and sekisho-recv in two network namespaces made by the test, over a veth
// pair with 0%, 1% and 5% random loss (and, at 5%, a relay that reorders and duplicates),
// with every packet towards the sender dropped: 1,000 files of 1 KB–1 MB and three of
// 100 MB are each delivered exactly once with the right digest or, beyond what the code
// repairs, named lost by id on the receiving side — never delivered corrupt.
// SEKISHO_ONEWAY_SCALE=small (the sanitizer run) sends 100 files and one of 20 MB.

#include <signal.h>

#include <cmath>
#include <cstdlib>

#include "tests/integration/oneway/link_fixture.hpp"
#include "tests/support/netns.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

namespace {

struct Scale {
    int files = 1000;
    int big_files = 3;
    std::size_t big_size = 100'000'000;
    std::string rate = "500Mbit";
};

// The sanitizer build is several times slower on both ends: fewer files, a lower rate.
Scale scale() {
    const char* s = std::getenv("SEKISHO_ONEWAY_SCALE");
    if (s != nullptr && std::string(s) == "small")
        return {100, 1, 20'000'000, "100Mbit"};
    return {};
}

// Sizes spread evenly on a log scale from 1 KB to 1 MB: mostly small files, some large,
// as filings are.
std::vector<std::filesystem::path> make_mixed_files(test::LinkFixture& f, int count) {
    std::vector<std::filesystem::path> out;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> exponent(3.0, 6.0);
    for (int i = 0; i < count; ++i) {
        const auto size = static_cast<std::size_t>(std::pow(10.0, exponent(rng)));
        const auto one = f.make_files(1, size, size, 1000 + i, "m" + std::to_string(i) + "-");
        out.push_back(one.front());
    }
    return out;
}

struct LinkCase {
    double loss = 0;
    bool relay = false;
};

void run_case(const LinkCase& c) {
    if (!test::NetnsPair::available())
        FAIL("network namespaces need root, ip, tc and iptables-legacy");
    const Scale sc = scale();
    test::NetnsPair net;
    net.drop_back_path(true);
    net.set_loss(c.loss);
    test::LinkFixture f;
    f.listen = net.receiver_addr() + ":7410";
    f.destination = net.receiver_addr() + (c.relay ? ":7411" : ":7410");
    f.rate = sc.rate;
    f.recv_prefix = test::NetnsPair::in_ns(net.receiver_ns(), {});
    f.send_prefix = test::NetnsPair::in_ns(net.sender_ns(), {});
    f.start_receiver();
    std::unique_ptr<test::Child> relay;
    if (c.relay) {
        relay = std::make_unique<test::Child>(
            test::NetnsPair::in_ns(
                net.receiver_ns(),
                {test::program("oneway_relay").string(), "--listen", net.receiver_addr() + ":7411",
                 "--to", f.listen, "--reorder", "0.05", "--window", "16", "--duplicate", "0.02",
                 "--seed", "3", "--stats", (f.dir / "relay.stats").string()}),
            std::map<std::string, std::string>{}, f.dir / "relay.log");
        const auto until = std::chrono::steady_clock::now() + 10s;
        while (test::LinkFixture::read_file_or_empty(f.dir / "relay.log").find("listening") ==
               std::string::npos) {
            REQUIRE(std::chrono::steady_clock::now() < until);
            std::this_thread::sleep_for(20ms);
        }
    }
    auto files = make_mixed_files(f, sc.files);
    const auto big = f.make_files(sc.big_files, sc.big_size, sc.big_size, 99, "big");
    // The large files go between the small ones, not only at the end.
    for (std::size_t i = 0; i < big.size(); ++i)
        files.insert(
            files.begin() + static_cast<std::ptrdiff_t>((i + 1) * files.size() / (big.size() + 1)),
            big[i]);
    const auto sent = f.send_once(files);
    INFO(test::LinkFixture::read_file_or_empty(f.dir / "recv.log").substr(0, 20000));
    REQUIRE(f.wait_settled(sent, 120s));
    const auto a = f.account(sent);
    CHECK(a.delivered + a.lost == static_cast<int>(files.size()));
    // The back path really was closed, and the loss really happened.
    CHECK(net.back_path_dropped());
    if (c.loss > 0)
        CHECK(net.loss_drops() > 0);
    if (c.relay) {
        relay->signal(SIGTERM);
        relay->wait(10s);
        const auto stats = test::LinkFixture::read_file_or_empty(f.dir / "relay.stats");
        CHECK(stats.find("reordered 0") == std::string::npos);
        CHECK(stats.find("duplicated 0") == std::string::npos);
    }
    f.receiver->signal(SIGTERM);
    CHECK(f.receiver->wait(10s) == 0);
    const double corrupt = f.metric("sekisho_recv_transfers_total{outcome=\"corrupt\"}");
    const double auth = f.metric("sekisho_recv_dropped_total{reason=\"authentication\"}");
    CHECK(corrupt == 0);
    CHECK(auth == 0);
    // Repetition and parity repair 5% loss; at most a rare transfer is lost.
    CHECK(a.lost <= (c.loss >= 0.05 ? 2 : 0));
    WARN("loss " << c.loss << ": delivered " << a.delivered << ", lost " << a.lost
                 << ", repaired shards " << f.metric("sekisho_recv_repaired_shards_total")
                 << ", dropped by the link " << net.loss_drops() << ", replays (duplicates) "
                 << f.metric("sekisho_recv_dropped_total{reason=\"replay\"}"));
}

}  // namespace

TEST_CASE("over a clean link with no way back every file arrives once", "[oneway][netns]") {
    run_case({0.0, false});
}

TEST_CASE("with 1% random loss every file arrives once", "[oneway][netns]") {
    run_case({0.01, false});
}

TEST_CASE("with 5% loss, reordering and duplication: delivered once or named lost",
          "[oneway][netns]") {
    run_case({0.05, true});
}

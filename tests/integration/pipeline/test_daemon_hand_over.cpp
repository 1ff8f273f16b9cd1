// sekishod end to end through the one-way link: filings fetched from the simulator,
// inspected and scanned, released by the `[release] auto` policy, handed to its
// sekisho-send process and delivered by a real sekisho-recv into a core inbox, each
// exactly once, with an `accepted` notice to Mynaportal; items end `sent`. A sender
// killed by the test is started again and nothing is lost or delivered twice.

#include <signal.h>

#include "tests/integration/oneway/link_fixture.hpp"
#include "tests/integration/pipeline/pipeline_fixture.hpp"

using namespace sekisho;
using namespace std::chrono_literals;
using queue::State;

namespace {

constexpr char kAllForms[] = R"(["2200700", "2201700", "2221700", "2225700", "2265700"])";

void write_hand_over_config(test::PipelineFixture& f, const test::LinkFixture& link) {
    const std::string extra =
        f.config_text() + "[release]\nauto = [{ source = \"mynaportal\", forms = " + kAllForms +
        " }]\n[oneway]\ndestination = \"" + link.listen + "\"\nrate = \"200Mbit\"\n";
    test::write_file(f.daemon.config,
                     f.daemon.config_text(extra) + "oneway_key = \"" +
                         (link.dir / "oneway.key").string() + "\"\n",
                     0640);
}

// The running sekisho-send started by sekishod, or -1.
pid_t sender_pid(const test::PipelineFixture& f) {
    for (const auto& p : std::filesystem::directory_iterator("/proc")) {
        const std::string stat = test::read_file(p.path() / "stat");
        const auto open = stat.find('(');
        const auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos)
            continue;
        int ppid = 0;
        char state = 0;
        std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid);
        if (ppid == f.sekishod->pid() && stat.substr(open + 1, close - open - 1) == "sekisho-send")
            return static_cast<pid_t>(std::stoi(stat.substr(0, open)));
    }
    return -1;
}

}  // namespace

TEST_CASE("released filings cross the one-way link into the core inbox exactly once",
          "[pipeline][daemon][oneway]") {
    test::PipelineFixture f;
    test::LinkFixture link;
    link.start_receiver();
    f.generate({"--count", "6"});
    const auto expected = f.expectations();
    f.sim.start();
    write_hand_over_config(f, link);
    f.start_daemon();
    const auto all_sent = [&] {
        return f.items_in("sent") == static_cast<double>(expected.size());
    };
    if (!test::PipelineFixture::wait(120s, all_sent))
        FAIL("not every filing was sent\n"
             << f.logs() << "\nreceiver:\n"
             << test::read_file(link.dir / "recv.log"));
    // The sender is a separate process; killed, it is started again for the next items.
    const pid_t sender = sender_pid(f);
    REQUIRE(sender > 0);
    ::kill(sender, SIGKILL);
    const auto more = f.add_batch(21, 2);
    const auto total = expected.size() + more.size();
    const auto sent_again = [&] { return f.items_in("sent") == static_cast<double>(total); };
    if (!test::PipelineFixture::wait(120s, sent_again))
        FAIL("filings after the sender's death were not sent\n" << f.logs());
    CHECK(f.metrics()["sekisho_oneway_sender_failures_total"] >= 1);
    CHECK(f.metrics()["sekisho_oneway_sent_total"] == static_cast<double>(total));
    CHECK(f.metrics()["sekisho_send_duration_seconds_count"] == static_cast<double>(total));
    CHECK(f.metrics()["sekisho_send_duration_seconds_sum"] > 0);
    if (!f.wait_for_notices("accepted", total, 60s))
        FAIL("not every release was notified\n" << f.logs());
    f.stop_daemon();

    // Every item sent: in the inbox once, bytes matching the queue's digest.
    auto q = f.open_queue();
    std::size_t checked = 0;
    for (const auto& item : q->list(State::sent, std::nullopt, 100)) {
        const auto zip = link.inbox() / (item.id.str() + ".zip");
        REQUIRE(std::filesystem::exists(zip));
        const auto bytes = test::read_file(zip);
        CHECK(queue::to_hex(sha256(test::LinkFixture::as_bytes(bytes))) ==
              queue::to_hex(item.sha256));
        const auto manifest =
            boost::json::parse(test::read_file(link.inbox() / (item.id.str() + ".json")));
        CHECK(manifest.at("external_id").as_string() == item.external_id);
        CHECK(manifest.at("verdict").as_string() == "accept");
        // Released by the auto policy: the daemon itself is the releasing actor.
        CHECK(manifest.at("release").at("released_by").as_string() == "sekishod");
        ++checked;
    }
    CHECK(checked == total);
    CHECK(link.delivered_record().size() == total);
    // What the daemon logged and wrote about the hand-over holds no 個人番号.
    CHECK_FALSE(test::has_twelve_digit_run(test::read_file(f.daemon_log())));
}

// The pipe between sekishod and its sekisho-send process: items in, one SENT answer per
// item after every repetition left, and the datagrams deliver them.

#include <unistd.h>

#include <thread>

#include "adapters/oneway/send_stream.hpp"
#include "tests/unit/oneway/receiver_fixture.hpp"

using namespace sekisho;
using namespace sekisho::oneway;

TEST_CASE("items written to the sender's pipe are sent and answered in order", "[oneway][stream]") {
    test::ReceiverFixture f;
    int to_sender[2];
    int from_sender[2];
    REQUIRE(::pipe(to_sender) == 0);
    REQUIRE(::pipe(from_sender) == 0);
    const auto a = new_transfer_id();
    const auto b = new_transfer_id();
    const auto bytes_a = test::random_bytes(70'000, 1);
    const auto bytes_b = test::random_bytes(5, 2);
    std::thread daemon_side([&] {
        write_item_frame(to_sender[1], f.manifest(a), bytes_a);
        write_item_frame(to_sender[1], f.manifest(b), bytes_b);
        ::close(to_sender[1]);
    });
    int exit_code = -1;
    const auto datagrams = test::capture(f.key, {}, 1000, [&](Sender& s) {
        exit_code = serve_daemon_stream(s, to_sender[0], from_sender[1]);
    });
    daemon_side.join();
    ::close(from_sender[1]);
    CHECK(exit_code == 0);
    const auto first = read_sent_answer(from_sender[0]);
    const auto second = read_sent_answer(from_sender[0]);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->id == a);
    CHECK(second->id == b);
    CHECK(second->number == first->number + 1);
    CHECK_FALSE(read_sent_answer(from_sender[0]));
    ::close(from_sender[0]);
    ::close(to_sender[0]);
    f.feed(datagrams);
    CHECK(f.delivered(a, bytes_a));
    CHECK(f.delivered(b, bytes_b));
}

TEST_CASE("a malformed frame from the daemon stops the sender with an error", "[oneway][stream]") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const std::string junk = "JUNKJUNKJUNKJUNK";
    REQUIRE(::write(p[1], junk.data(), junk.size()) == static_cast<ssize_t>(junk.size()));
    ::close(p[1]);
    const auto key = test::oneway_key();
    CHECK_THROWS_WITH(
        test::capture(key, {}, 1, [&](Sender& s) { serve_daemon_stream(s, p[0], -1); }),
        Catch::Contains("bad magic"));
    ::close(p[0]);
}

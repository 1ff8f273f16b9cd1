#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "daemon/control/frame.hpp"

using namespace sekisho::control;

namespace {

struct Pair {
    int fd[2];
    Pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
    ~Pair() {
        ::close(fd[0]);
        if (fd[1] >= 0)
            ::close(fd[1]);
    }
    void close_writer() {
        ::close(fd[1]);
        fd[1] = -1;
    }
};

}  // namespace

TEST_CASE("frames carry their bytes and their length", "[control][frame]") {
    Pair p;
    write_frame(p.fd[1], R"({"command":"status"})");
    write_frame(p.fd[1], "");
    CHECK(read_frame(p.fd[0], 100) == R"({"command":"status"})");
    CHECK(read_frame(p.fd[0], 100) == "");
    p.close_writer();
    CHECK_FALSE(read_frame(p.fd[0], 100));
}

TEST_CASE("a frame over the limit, a short frame and a silent peer are errors",
          "[control][frame]") {
    {
        Pair p;
        write_frame(p.fd[1], std::string(101, 'x'));
        CHECK_THROWS_WITH(read_frame(p.fd[0], 100), Catch::Contains("exceeds the limit"));
    }
    {
        Pair p;
        const unsigned char head[] = {0, 0, 0, 10, 'a', 'b'};
        REQUIRE(::write(p.fd[1], head, sizeof head) == sizeof head);
        p.close_writer();
        CHECK_THROWS_WITH(read_frame(p.fd[0], 100), Catch::Contains("in the middle"));
    }
    {
        Pair p;
        const timeval tv{0, 100'000};
        ::setsockopt(p.fd[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        CHECK_THROWS_WITH(read_frame(p.fd[0], 100), Catch::Contains("timed out"));
    }
    CHECK_THROWS_AS(write_frame(-1, std::string(kMaxReplyFrameBytes + 1, 'x')), FrameError);
}

TEST_CASE("a frame trickling in byte by byte is cut off at the deadline", "[control][frame]") {
    Pair p;
    std::thread trickle([&] {
        const unsigned char frame[] = {0, 0, 0, 8, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
        for (unsigned char byte : frame) {
            if (::send(p.fd[1], &byte, 1, MSG_NOSIGNAL) != 1)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(60));
        }
    });
    const auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(read_frame(p.fd[0], 100, started + std::chrono::milliseconds(250)),
                      Catch::Contains("timed out"));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
    ::shutdown(p.fd[0], SHUT_RDWR);
    trickle.join();
}

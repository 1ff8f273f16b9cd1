#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
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

TEST_CASE("a file passed with a frame arrives as a descriptor of the same file",
          "[control][frame]") {
    Pair p;
    char name[] = "/tmp/sekisho-frame-XXXXXX";
    const int file = ::mkstemp(name);
    REQUIRE(file >= 0);
    ::unlink(name);
    REQUIRE(::write(file, "H,HONNIN-REQ", 12) == 12);
    write_frame_with_file(p.fd[1], R"({"command":"submit"})", file);
    ::close(file);  // the receiver's copy stays open
    sekisho::UniqueFd got;
    CHECK(read_frame(p.fd[0], 100, std::nullopt, &got) == R"({"command":"submit"})");
    REQUIRE(got);
    char buf[16] = {};
    CHECK(::pread(got.get(), buf, sizeof buf, 0) == 12);
    CHECK(std::string(buf, 12) == "H,HONNIN-REQ");
}

TEST_CASE("a passed file is dropped when the reader does not take one", "[control][frame]") {
    Pair p;
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    write_frame_with_file(p.fd[1], "{}", pipe_fds[0]);
    ::close(pipe_fds[0]);
    CHECK(read_frame(p.fd[0], 100) == "{}");
    // Nobody holds the read end any more: writing to the pipe fails.
    ::signal(SIGPIPE, SIG_IGN);
    CHECK(::write(pipe_fds[1], "x", 1) == -1);
    ::close(pipe_fds[1]);
}

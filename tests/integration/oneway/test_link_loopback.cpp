// sekisho-send and sekisho-recv as real processes over loopback: files arrive exactly once
// with the right bytes; a receiver or a sender killed with SIGKILL and restarted never
// causes a duplicate or a corrupt delivery, and every loss is named; datagrams forged,
// replayed, truncated or damaged by the test are dropped and counted.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>

#include "adapters/oneway/send_stream.hpp"
#include "tests/integration/oneway/link_fixture.hpp"
#include "tests/unit/oneway/oneway_test_support.hpp"

using namespace sekisho;
using namespace std::chrono_literals;

namespace {

// sekisho-send --from-daemon with pipes, as sekishod runs it.
class DaemonModeSender {
  public:
    explicit DaemonModeSender(const test::LinkFixture& f) {
        int in[2];
        int out[2];
        REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        const auto log = (f.dir / "send.log").string();
        posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        std::vector<std::string> args{test::program("sekisho-send").string(), "-c",
                                      (f.dir / "send.toml").string(), "--from-daemon"};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = out[0];
    }
    ~DaemonModeSender() {
        close_input();
        if (from_ >= 0)
            ::close(from_);
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    void send(const std::string& manifest, const std::string& bytes) {
        oneway::write_item_frame(
            to_, manifest, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    }
    std::optional<oneway::SentAnswer> answer() { return oneway::read_sent_answer(from_); }
    void close_input() {
        if (to_ >= 0)
            ::close(to_);
        to_ = -1;
    }
    void kill() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    int wait() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

  private:
    pid_t pid_ = -1;
    int to_ = -1;
    int from_ = -1;
};

std::string manifest_for(const std::string& id, const std::string& bytes) {
    boost::json::object m;
    m["id"] = id;
    m["kind"] = "file";
    m["size"] = bytes.size();
    m["sha256"] = hex_lower(sha256(test::LinkFixture::as_bytes(bytes)));
    return boost::json::serialize(m);
}

void send_datagrams(const std::string& listen, const std::vector<oneway::Bytes>& datagrams) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port =
        htons(static_cast<std::uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1))));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (std::size_t i = 0; i < datagrams.size(); ++i) {
        ::sendto(fd, datagrams[i].data(), datagrams[i].size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to);
        if (i % 256 == 255)
            std::this_thread::sleep_for(1ms);  // a pace loopback keeps up with
    }
    ::close(fd);
}

}  // namespace

TEST_CASE("files sent with sekisho-send --once arrive in the inbox exactly once",
          "[oneway][link]") {
    test::LinkFixture f;
    f.start_receiver();
    auto files = f.make_files(60, 1000, 1'000'000, 1);
    const auto empty = f.make_files(1, 0, 0, 2, "empty");
    files.insert(files.end(), empty.begin(), empty.end());
    const auto sent = f.send_once(files);
    REQUIRE(f.wait_settled(sent, 30s));
    const auto a = f.account(sent);
    CHECK(a.delivered == 61);
    CHECK(a.lost == 0);
    // Sent again (new ids, same bytes): delivered again, as new items.
    const auto again = f.send_once({files.front()});
    REQUIRE(f.wait_settled(again, 30s));
    CHECK(f.account(again).delivered == 1);
    // A reload (SIGHUP) keeps it receiving.
    f.receiver->signal(SIGHUP);
    std::this_thread::sleep_for(300ms);
    CHECK(f.receiver->running());
    CHECK(
        test::LinkFixture::read_file_or_empty(f.dir / "recv.log").find("configuration reloaded") !=
        std::string::npos);
    f.receiver->signal(SIGTERM);
    CHECK(f.receiver->wait(10s) == 0);
    CHECK(f.metric("sekisho_recv_transfers_total{outcome=\"delivered\"}") == 62);
    CHECK(f.metric("sekisho_recv_dropped_total{reason=\"authentication\"}") == 0);
}

TEST_CASE("a receiver killed mid-transfer and restarted delivers nothing twice or corrupt",
          "[oneway][link]") {
    test::LinkFixture f;
    f.rate = "200Mbit";
    f.start_receiver();
    auto files = f.make_files(20, 1000, 500'000, 3);
    const auto big = f.make_files(1, 40'000'000, 40'000'000, 4, "big");
    files.insert(files.begin() + 10, big.front());
    std::vector<test::SentFile> sent;
    std::thread sender([&] { sent = f.send_once(files); });
    // Each repetition of the big file takes 2 s at this rate: the receiver is killed in
    // the middle of the first.
    std::this_thread::sleep_for(1000ms);
    f.kill_receiver();
    f.start_receiver();
    sender.join();
    REQUIRE(f.wait_settled(sent, 60s));
    const auto a = f.account(sent);
    CHECK(a.delivered + a.lost == 21);
    // Normally the second repetition completes the big file after the restart; on a
    // machine too slow to catch up (the sanitizer build) it is named lost instead —
    // either way once, and never half.
    const auto& id = sent[10].id;
    CHECK(f.delivered_ids().count(id) + f.lost().count(id) == 1);
    if (f.delivered_ids().count(id) == 0)
        WARN("the big file was named lost, not delivered: " << f.lost().at(id));
}

TEST_CASE("a sender killed mid-transfer and restarted: the daemon's items arrive once",
          "[oneway][link]") {
    test::LinkFixture f;
    f.rate = "400Mbit";
    f.start_receiver();
    f.write_configs();
    std::vector<std::pair<std::string, std::string>> items;
    for (int i = 0; i < 6; ++i) {
        const auto bytes = test::LinkFixture::read_file_or_empty(
            f.make_files(1, i == 2 ? 30'000'000 : 200'000, i == 2 ? 30'000'000 : 200'000, 10 + i,
                         "item" + std::to_string(i))
                .front());
        items.emplace_back(oneway::to_string(oneway::new_transfer_id()), bytes);
    }
    std::set<std::string> answered;
    {
        DaemonModeSender first(f);
        for (const auto& [id, bytes] : items)
            first.send(manifest_for(id, bytes), bytes);
        // Items 0 and 1 go out whole; item 2 is large: the sender dies in the middle of it.
        for (int i = 0; i < 2; ++i) {
            const auto a = first.answer();
            REQUIRE(a);
            answered.insert(oneway::to_string(a->id));
        }
        std::this_thread::sleep_for(300ms);
        first.kill();
    }
    // What the daemon does after a restart: send again every item not answered.
    DaemonModeSender second(f);
    for (const auto& [id, bytes] : items) {
        if (answered.count(id) == 0)
            second.send(manifest_for(id, bytes), bytes);
    }
    for (std::size_t i = answered.size(); i < items.size(); ++i)
        REQUIRE(second.answer());
    second.close_input();
    CHECK(second.wait() == 0);
    std::vector<test::SentFile> sent;
    for (const auto& [id, bytes] : items)
        sent.push_back({id, {}, hex_lower(sha256(test::LinkFixture::as_bytes(bytes)))});
    REQUIRE(f.wait_settled(sent, 30s));
    const auto a = f.account(sent);
    CHECK(a.delivered == 6);
    // The killed session's part of item 2 and the new session's were merged: one file.
    CHECK(f.delivered_record().size() == 6);
}

TEST_CASE("forged, replayed, truncated and bit-flipped datagrams are rejected and counted",
          "[oneway][link]") {
    test::LinkFixture f;
    f.start_receiver();
    const auto key_text = test::read_file(f.dir / "oneway.key");
    const config::SecretBytes link_key(
        std::vector<unsigned char>(key_text.begin(), key_text.end()));
    const auto id = oneway::new_transfer_id();
    const std::string bytes(300'000, 'x');
    const auto genuine = test::capture(link_key, {}, 5000, [&](oneway::Sender& s) {
        s.send({id,
                manifest_for(oneway::to_string(id), bytes),
                {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                std::nullopt});
    });
    std::mt19937 rng(1);
    std::vector<oneway::Bytes> attacks;
    for (const auto& d : genuine) {
        auto flipped = d;
        flipped[rng() % flipped.size()] ^= 0x80;
        attacks.push_back(flipped);
        attacks.emplace_back(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2));
    }
    // Made with another key: well-formed, authentic to nobody here.
    const auto other = test::capture(test::oneway_key(), {}, 6000, [&](oneway::Sender& s) {
        s.send({id,
                manifest_for(oneway::to_string(id), "evil"),
                {reinterpret_cast<const std::uint8_t*>("evil"), 4},
                std::nullopt});
    });
    attacks.insert(attacks.end(), other.begin(), other.end());
    send_datagrams(f.listen, attacks);
    std::this_thread::sleep_for(1500ms);
    CHECK(f.delivered_ids().empty());
    const double rejected = f.metric("sekisho_recv_dropped_total{reason=\"authentication\"}") +
                            f.metric("sekisho_recv_dropped_total{reason=\"malformed\"}");
    CHECK(rejected == static_cast<double>(attacks.size()));
    // The genuine ones, then all of them again: one delivery, the rest replays.
    send_datagrams(f.listen, genuine);
    send_datagrams(f.listen, genuine);
    std::vector<test::SentFile> sent{
        {oneway::to_string(id), {}, hex_lower(sha256(test::LinkFixture::as_bytes(bytes)))}};
    REQUIRE(f.wait_settled(sent, 10s));
    std::this_thread::sleep_for(1500ms);
    CHECK(f.account(sent).delivered == 1);
    CHECK(f.delivered_record().size() == 1);
    CHECK(f.metric("sekisho_recv_dropped_total{reason=\"replay\"}") ==
          static_cast<double>(genuine.size()));
}

TEST_CASE("sekisho-send --once is refused while the daemon's sender runs on the same state",
          "[oneway][link]") {
    test::LinkFixture f;
    f.write_configs();
    DaemonModeSender daemons(f);
    const auto file = f.make_files(1, 100, 100, 5).front();
    // Wait until the daemon-mode sender holds its lock (right after it starts).
    const auto lock_file = f.dir / "send-state" / "oneway-sender.lock";
    const auto held = [&] {
        const int fd = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return false;
        const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
        ::close(fd);
        return busy;
    };
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!held() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(10ms);
    const auto r = test::run({test::program("sekisho-send").string(), "-c",
                              (f.dir / "send.toml").string(), "--once", file.string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("another sekisho-send runs on") != std::string::npos);
    daemons.close_input();
    CHECK(daemons.wait() == 0);
    // Once it has gone, --once works.
    CHECK(test::run({test::program("sekisho-send").string(), "-c", (f.dir / "send.toml").string(),
                     "--once", file.string()})
              .exit_code == 0);
}

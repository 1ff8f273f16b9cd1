#pragma once
// sekisho-send and sekisho-recv as real processes with their own configuration files and
// a shared oneway_key, on loopback or inside the namespaces of a NetnsPair.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/digest.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

struct SentFile {
    std::string id;
    std::filesystem::path path;
    std::string sha256;
};

class LinkFixture {
  public:
    TempDir dir;
    std::string listen = "127.0.0.1:" + std::to_string(20000 + ::getpid() % 20000);
    std::string destination = listen;
    std::string rate = "800Mbit";
    int repeat = 2;
    std::vector<std::string> recv_prefix;  // e.g. `ip netns exec NS`
    std::vector<std::string> send_prefix;
    std::unique_ptr<Child> receiver;

    LinkFixture() {
        write_file(dir / "oneway.key", random_key(), 0600);
        std::filesystem::create_directories(dir / "files");
        std::filesystem::create_directories(dir / "send-state");
    }

    std::filesystem::path inbox() const { return dir / "inbox"; }
    std::filesystem::path state() const { return dir / "recv-state"; }

    void write_configs() const {
        write_file(dir / "recv.toml",
                   "[daemon]\nuser = \"root\"\n[keys]\noneway_key = \"" +
                       (dir / "oneway.key").string() + "\"\n[receiver]\nlisten = \"" + listen +
                       "\"\ninbox_dir = \"" + inbox().string() + "\"\nstate_dir = \"" +
                       state().string() + "\"\nmetrics_file = \"" + (dir / "recv.prom").string() +
                       "\"\n");
        write_file(dir / "send.toml",
                   "[daemon]\nuser = \"root\"\nstate_dir = \"" + (dir / "send-state").string() +
                       "\"\n[keys]\noneway_key = \"" + (dir / "oneway.key").string() +
                       "\"\n[oneway]\ndestination = \"" + destination + "\"\nrate = \"" + rate +
                       "\"\nrepeat = " + std::to_string(repeat) + "\n");
    }

    static std::vector<std::string> with_prefix(std::vector<std::string> prefix,
                                                const std::vector<std::string>& argv) {
        prefix.insert(prefix.end(), argv.begin(), argv.end());
        return prefix;
    }

    void start_receiver() {
        write_configs();
        receiver.reset();
        receiver = std::make_unique<Child>(
            with_prefix(recv_prefix,
                        {program("sekisho-recv").string(), "-c", (dir / "recv.toml").string()}),
            std::map<std::string, std::string>{}, dir / "recv.log");
        // Ready when it says it receives (the socket is bound).
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (read_file_or_empty(dir / "recv.log").find("receiving") == std::string::npos) {
            if (std::chrono::steady_clock::now() > until || !receiver->running())
                FAIL("sekisho-recv did not start:\n" << read_file_or_empty(dir / "recv.log"));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    void kill_receiver() {
        receiver->signal(SIGKILL);
        receiver->wait(std::chrono::seconds(10));
        receiver.reset();
    }

    // Files of random sizes in [min, max] bytes, random content.
    std::vector<std::filesystem::path> make_files(int count, std::size_t min, std::size_t max,
                                                  std::uint32_t seed,
                                                  const std::string& prefix = "f") {
        std::mt19937_64 rng(seed);
        std::vector<std::filesystem::path> out;
        for (int i = 0; i < count; ++i) {
            const std::size_t size = min + (max > min ? rng() % (max - min + 1) : 0);
            std::string content(size, '\0');
            for (std::size_t j = 0; j < size; j += 8) {
                const auto v = rng();
                std::memcpy(content.data() + j, &v, std::min<std::size_t>(8, size - j));
            }
            const auto p = dir / "files" / (prefix + std::to_string(i));
            write_file(p, content, 0600);
            out.push_back(p);
        }
        return out;
    }

    // sekisho-send --once: the ids it gave each file.
    std::vector<SentFile> send_once(const std::vector<std::filesystem::path>& files) {
        write_configs();
        std::vector<std::string> argv{program("sekisho-send").string(), "-c",
                                      (dir / "send.toml").string(), "--once"};
        for (const auto& f : files)
            argv.push_back(f.string());
        const auto done = run(with_prefix(send_prefix, argv));
        INFO(done.err);
        REQUIRE(done.exit_code == 0);
        std::vector<SentFile> sent;
        std::istringstream lines(done.out);
        std::string id, path;
        while (lines >> id >> path)
            sent.push_back({id, path, hex_lower(sha256(as_bytes(read_file(path))))});
        REQUIRE(sent.size() == files.size());
        return sent;
    }

    static std::span<const unsigned char> as_bytes(const std::string& s) {
        return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
    }

    static std::string read_file_or_empty(const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    // Ids whose item and manifest are both in the inbox.
    std::set<std::string> delivered_ids() const {
        std::set<std::string> out;
        if (!std::filesystem::exists(inbox()))
            return out;
        for (const auto& e : std::filesystem::directory_iterator(inbox())) {
            if (e.path().extension() == ".json")
                out.insert(e.path().stem().string());
        }
        return out;
    }

    std::map<std::string, std::string> lost() const {
        std::map<std::string, std::string> out;
        std::istringstream in(read_file_or_empty(state() / "lost"));
        std::string line;
        while (std::getline(in, line))
            out[line.substr(0, 36)] = line.size() > 37 ? line.substr(37) : "";
        return out;
    }

    std::vector<std::string> delivered_record() const {
        std::vector<std::string> out;
        std::istringstream in(read_file_or_empty(state() / "delivered"));
        std::string line;
        while (std::getline(in, line))
            out.push_back(line);
        return out;
    }

    double metric(const std::string& name) const {
        std::istringstream in(read_file_or_empty(dir / "recv.prom"));
        std::string line;
        while (std::getline(in, line)) {
            if (line.starts_with(name + " "))
                return std::stod(line.substr(name.size() + 1));
        }
        return -1;
    }

    // Every file delivered once with its bytes, or named lost: never both, never wrong.
    struct Accounting {
        int delivered = 0;
        int lost = 0;
    };
    Accounting account(const std::vector<SentFile>& sent) const {
        Accounting a;
        const auto ids = delivered_ids();
        const auto lost_ids = lost();
        const auto record = delivered_record();
        const std::set<std::string> unique(record.begin(), record.end());
        CHECK(unique.size() == record.size());  // no id delivered twice
        for (const auto& s : sent) {
            INFO(s.id << " " << s.path);
            const bool got = ids.count(s.id) > 0;
            if (got) {
                ++a.delivered;
                const auto bytes = read_file(inbox() / (s.id + ".bin"));
                CHECK(hex_lower(sha256(as_bytes(bytes))) == s.sha256);
                const auto manifest = boost::json::parse(read_file(inbox() / (s.id + ".json")));
                CHECK(manifest.at("sha256").as_string() == s.sha256);
            } else {
                CHECK(lost_ids.count(s.id) == 1);
                ++a.lost;
            }
        }
        return a;
    }

    // Waits until `n` items are in the inbox or named lost.
    bool wait_settled(const std::vector<SentFile>& sent, std::chrono::seconds limit) const {
        const auto until = std::chrono::steady_clock::now() + limit;
        for (;;) {
            const auto ids = delivered_ids();
            const auto lost_ids = lost();
            std::size_t settled = 0;
            for (const auto& s : sent)
                settled += ids.count(s.id) + lost_ids.count(s.id) > 0 ? 1 : 0;
            if (settled == sent.size())
                return true;
            if (std::chrono::steady_clock::now() > until)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
};

}  // namespace sekisho::test

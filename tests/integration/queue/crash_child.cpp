// The crash test's child: enqueues and advances items as fast as it can, printing a line
// on standard output only after each operation has returned (is durable), until the
// parent kills it with SIGKILL.
//   crash_child STATE_DIR QUEUE_KEY_FILE AUDIT_KEY_FILE PREFIX
// Lines: "ACK <external_id> <item_id>", "STATE <item_id> <state>".

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "queue/queue.hpp"
#include "tests/integration/queue/crash_workload.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

void say(const std::string& line) {
    const std::string l = line + "\n";
    // One write per line: lines from several threads never interleave in the pipe.
    if (::write(STDOUT_FILENO, l.data(), l.size()) != static_cast<ssize_t>(l.size()))
        std::_Exit(3);
}

config::SecretBytes key_file(const char* path) {
    const std::string k = test::read_file(path);
    return config::SecretBytes(std::vector<unsigned char>(k.begin(), k.end()));
}

Change next_change(State s) {
    switch (s) {
        case State::fetched:
            return {State::inspecting};
        case State::inspecting:
            return {State::scanning, "state", "accept"};
        case State::scanning:
            return {State::staged, "state", std::nullopt, std::nullopt, true};
        case State::staged:
            return {State::released};
        default:
            return {State::sent};
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5)
        return 2;
    Queue q({argv[1], 0}, key_file(argv[2]), key_file(argv[3]));
    const std::string prefix = argv[4];
    std::atomic<int> counter{0};
    std::vector<std::thread> enqueuers;
    for (int t = 0; t < 3; ++t) {
        enqueuers.emplace_back([&] {
            for (;;) {
                const std::string ext = prefix + "-" + std::to_string(counter++);
                const std::string payload = test::crash_payload(ext);
                auto w = q.begin({"mynaportal", ext, "filing", {}, 0});
                w.write(as_bytes(payload));
                const auto r = q.commit(std::move(w));
                say("ACK " + ext + " " + r.id.str());
            }
        });
    }
    std::mt19937 rng(static_cast<unsigned>(::getpid()));
    for (int round = 0;; ++round) {
        auto items = q.list(std::nullopt, std::nullopt, 100'000);
        std::shuffle(items.begin(), items.end(), rng);
        for (const auto& item : items) {
            if (item.state == State::sent || item.state == State::purged)
                continue;
            const Change c = next_change(item.state);
            q.transition(item.id, c);
            say("STATE " + item.id.str() + " " + std::string(name(c.to)));
            break;
        }
        if (round % 50 == 49) {
            q.purge_expired({}, std::chrono::system_clock::now() + std::chrono::seconds(1));
        }
    }
}

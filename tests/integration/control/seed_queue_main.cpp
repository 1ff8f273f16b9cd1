// Seeds a queue with staged filings for the control socket tests, before sekishod starts
// (the daemon holds the state lock). Run as the service user, so every file it creates
// belongs to that user.
//   control_seed_queue STATE_DIR QUEUE_KEY_FILE AUDIT_KEY_FILE COUNT
// Prints the ids of the new items, one per line, in the order they were added.

#include <charconv>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "queue/queue.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

constexpr int kMaxCount = 1000;

config::SecretBytes key_file(const char* path) {
    const std::string k = test::read_file(path);
    return config::SecretBytes(std::vector<unsigned char>(k.begin(), k.end()));
}

config::SecretBytes text_bytes(std::string_view text) {
    return config::SecretBytes(std::vector<unsigned char>(text.begin(), text.end()));
}

ItemId add_staged(Queue& q, int n) {
    const std::string external_id = "ctl-seed-" + std::to_string(n);
    const std::string personal = R"({"procedure_id":"950A010700015000","form_codes":["2200700"],)"
                                 R"("auth_method":"certificate","seed":)" +
                                 std::to_string(n) + "}";
    auto w = q.begin({"mynaportal", external_id, "filing", text_bytes(personal), 0});
    const std::string payload = "sekisho control test filing " + std::to_string(n) + "\n";
    w.write(as_bytes(payload));
    const auto added = q.commit(std::move(w));
    if (added.outcome != EnqueueOutcome::added)
        throw std::runtime_error("item " + external_id + " was not added");
    const ItemId id = added.id;
    q.transition(id, {.to = State::inspecting});
    q.transition(id, {.to = State::scanning, .verdict = "accept"});
    q.transition(id, {.to = State::staged, .action = "scan clean", .scanned_clean = true});
    return id;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: control_seed_queue STATE_DIR QUEUE_KEY_FILE AUDIT_KEY_FILE COUNT\n";
        return 2;
    }
    const std::string_view count_text = argv[4];
    int count = 0;
    const auto [end, ec] =
        std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    if (ec != std::errc() || end != count_text.data() + count_text.size() || count < 1 ||
        count > kMaxCount) {
        std::cerr << "control_seed_queue: COUNT must be 1.." << kMaxCount << "\n";
        return 2;
    }
    try {
        Queue q({argv[1], 0}, key_file(argv[2]), key_file(argv[3]));
        for (int i = 0; i < count; ++i)
            std::cout << add_staged(q, i).str() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "control_seed_queue: " << e.what() << "\n";
        return 1;
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
}

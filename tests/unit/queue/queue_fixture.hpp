#pragma once
// A queue in a private directory with fresh keys, reopenable to exercise recovery.

#include <memory>
#include <sstream>
#include <string>

#include "queue/queue.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

inline config::SecretBytes key_bytes(const std::string& k) {
    return config::SecretBytes(std::vector<unsigned char>(k.begin(), k.end()));
}

struct QueueFixture {
    TempDir dir;
    std::string queue_key = random_key();
    std::string audit_key = random_key();
    std::unique_ptr<queue::Queue> q;

    QueueFixture() { open(); }

    queue::Queue& open(std::uint64_t min_free = 0) {
        q.reset();
        q = std::make_unique<queue::Queue>(queue::QueueOptions{dir.path() / "state", min_free},
                                           key_bytes(queue_key), key_bytes(audit_key));
        return *q;
    }

    queue::EnqueueResult enqueue(const std::string& external_id, const std::string& payload,
                                 const std::string& personal = "",
                                 const std::string& kind = "filing",
                                 const std::string& source = "mynaportal") {
        auto w = q->begin({source, external_id, kind, key_bytes(personal), 0});
        w.write(queue::as_bytes(payload));
        return q->commit(std::move(w));
    }

    std::string payload(const queue::ItemId& id) {
        std::string out;
        q->read_payload(id, [&](queue::ByteView c) { out.append(c.begin(), c.end()); });
        return out;
    }

    // An item that passed inspection and a clean scan, waiting for a release.
    queue::ItemId staged(const std::string& external_id, const std::string& kind = "filing",
                         const std::string& source = "mynaportal") {
        const auto id = enqueue(external_id, "payload of " + external_id, "", kind, source).id;
        q->transition(id, {queue::State::inspecting});
        q->transition(id, {.to = queue::State::scanning, .verdict = "accept"});
        q->transition(id, {.to = queue::State::staged, .scanned_clean = true});
        return id;
    }

    // The whole audit log as exported.
    std::string audit_text() {
        std::ostringstream out;
        q->export_audit(out, std::nullopt, std::nullopt);
        return out.str();
    }

    std::filesystem::path db() const { return dir.path() / "state" / "queue.db"; }
};

}  // namespace sekisho::test

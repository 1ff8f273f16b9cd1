// A queue on a small tmpfs mounted by the test (in a private mount namespace, so nothing
// outlives the test process): refused cleanly below the floor, no partial item on
// ENOSPC, nothing corrupted, and new items accepted again once space returns.

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

void mount_tmpfs(const std::filesystem::path& dir, const std::string& size) {
    const std::string opts = "size=" + size + ",mode=0700";
    REQUIRE(::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) == 0);
}

void remount(const std::filesystem::path& dir, const std::string& size) {
    const std::string opts = "size=" + size + ",mode=0700";
    REQUIRE(::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0);
}

std::size_t temporary_files(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        n += e.path().string().ends_with(".tmp");
    return n;
}

}  // namespace

TEST_CASE("a full disk refuses new items cleanly and resumes when space returns", "[queue][disk]") {
    REQUIRE(::geteuid() == 0);  // mounting a tmpfs needs root; make test runs as root
    REQUIRE(::unshare(CLONE_NEWNS) == 0);
    REQUIRE(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
    test::TempDir dir;
    const auto state = dir.path() / "state";
    std::filesystem::create_directory(state);
    mount_tmpfs(state, "6m");
    const std::string qk = test::random_key();
    const std::string ak = test::random_key();
    const std::string chunk(256 * 1024, 'z');
    auto open = [&](std::uint64_t floor) {
        return std::make_unique<Queue>(QueueOptions{state, floor}, test::key_bytes(qk),
                                       test::key_bytes(ak));
    };

    auto q = open(2u << 20);
    std::vector<ItemId> kept;
    SECTION("below the floor new items are refused before any byte is written") {
        bool refused = false;
        for (int i = 0; i < 100 && !refused; ++i) {
            try {
                auto w = q->begin({"mynaportal", "A" + std::to_string(i), "filing", {}, 0});
                w.write(as_bytes(chunk + std::to_string(i)));
                kept.push_back(q->commit(std::move(w)).id);
            } catch (const QueueFull&) {
                refused = true;
            }
        }
        CHECK(refused);
        CHECK_FALSE(q->accepting_new_items());
        CHECK(kept.size() >= 8);
    }
    SECTION("ENOSPC in the middle of a payload leaves no partial item") {
        q = open(0);
        kept.push_back(q->commit([&] {
                            auto w = q->begin({"mynaportal", "first", "filing", {}, 0});
                            w.write(as_bytes(chunk));
                            return w;
                        }())
                           .id);
        {
            auto w = q->begin({"mynaportal", "too-big", "filing", {}, 0});
            CHECK_THROWS_AS(
                [&] {
                    for (int i = 0; i < 40; ++i)
                        w.write(as_bytes(chunk));
                }(),
                std::system_error);
        }
        CHECK(temporary_files(state / "payloads") == 0);
        CHECK_FALSE(q->find_external("mynaportal", "too-big"));
    }
    // Either way: what was taken in is intact and the audit chain holds.
    CHECK(q->verify_payloads() == 0);
    CHECK(q->verify_audit().ok());
    for (const auto& id : kept)
        CHECK(q->find(id)->state == State::fetched);

    // Space returns: the same queue takes new items again, with no restart.
    remount(state, "64m");
    CHECK(q->accepting_new_items());
    auto w = q->begin({"mynaportal", "after", "filing", {}, 0});
    w.write(as_bytes(chunk + "after"));
    CHECK(q->commit(std::move(w)).outcome == EnqueueOutcome::added);
    q.reset();
    q = open(2u << 20);
    CHECK(q->recovery().missing_or_damaged == 0);
    CHECK(q->verify_payloads() == 0);
}

#pragma once
// A Receiver on a private inbox and state directory, fed captured datagrams.

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "adapters/oneway/receiver.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/oneway/oneway_test_support.hpp"

namespace sekisho::test {

struct Classified {
    oneway::Type type = oneway::Type::shard;
    oneway::Bytes body;
    std::optional<oneway::Shard> shard;
    std::optional<oneway::TransferHeader> header;
};

struct ReceiverFixture {
    TempDir dir;
    config::SecretBytes key = oneway_key();
    std::unique_ptr<oneway::Receiver> receiver;
    oneway::Receiver::Clock::time_point now = oneway::Receiver::Clock::now();
    oneway::ReceiverOptions options{.inbox_dir = dir / "inbox", .state_dir = dir / "state"};

    ReceiverFixture() { restart(); }

    void restart() {
        receiver.reset();
        receiver = std::make_unique<oneway::Receiver>(key, options);
    }

    static std::string manifest(const oneway::TransferId& id) {
        return R"({"id":")" + oneway::to_string(id) + R"(","kind":"filing"})";
    }

    std::vector<oneway::Bytes> send(
        const std::vector<std::pair<oneway::TransferId, oneway::Bytes>>& items,
        oneway::SenderOptions o = {}, std::uint64_t session = 1000) {
        return capture(key, o, session, [&](oneway::Sender& s) {
            for (const auto& [id, bytes] : items)
                s.send({id, manifest(id), bytes, std::nullopt});
        });
    }

    void feed(const std::vector<oneway::Bytes>& datagrams) {
        for (const auto& d : datagrams)
            receiver->handle(d, now);
        receiver->tick(now);
    }

    // Lets time pass for the loss grace and the idle limits.
    void advance(std::chrono::milliseconds by) {
        now += by;
        receiver->tick(now);
    }

    Classified classify(const oneway::Bytes& d) const {
        const auto h = oneway::parse_header(d);
        REQUIRE(h);
        oneway::SessionCipher c(key, h->session);
        Classified out;
        out.type = h->type;
        REQUIRE(c.open(*h, d, out.body));
        if (h->type == oneway::Type::shard)
            out.shard = oneway::parse_shard(out.body);
        if (h->type == oneway::Type::transfer_header)
            out.header = oneway::parse_transfer_header(out.body);
        return out;
    }

    bool delivered(const oneway::TransferId& id, const oneway::Bytes& bytes) const {
        const auto base = dir / "inbox" / oneway::to_string(id);
        auto zip = base;
        zip += ".zip";
        auto json = base;
        json += ".json";
        if (!std::filesystem::exists(json) || !std::filesystem::exists(zip))
            return false;
        const auto content = read_file(zip);
        return content == std::string(bytes.begin(), bytes.end()) &&
               read_file(json) == manifest(id);
    }

    // Items the core system would see (names not starting with a dot).
    std::size_t inbox_files() const { return count_files(false); }
    // The receiver's hidden partial files.
    std::size_t partial_files() const { return count_files(true); }

    std::size_t count_files(bool hidden) const {
        std::size_t n = 0;
        if (!std::filesystem::exists(dir / "inbox"))
            return 0;
        for (const auto& e : std::filesystem::directory_iterator(dir / "inbox"))
            n += (e.path().filename().string().front() == '.') == hidden ? 1 : 0;
        return n;
    }
};

}  // namespace sekisho::test

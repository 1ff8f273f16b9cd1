#pragma once
// Test helpers for the one-way protocol: keys, and the datagrams a real Sender puts on a
// real (loopback) socket, captured so that tests can lose, reorder, repeat or damage
// them deterministically before a Receiver sees them.

#include <atomic>
#include <functional>
#include <random>
#include <thread>

#include "adapters/oneway/sender.hpp"
#include "adapters/oneway/udp_receive.hpp"
#include "config/secret.hpp"

namespace sekisho::test {

inline config::SecretBytes oneway_key(std::uint32_t seed = 0) {
    std::vector<unsigned char> k(32);
    if (seed == 0) {
        std::random_device rd;
        for (auto& b : k)
            b = static_cast<unsigned char>(rd());
    } else {
        std::mt19937 rng(seed);
        for (auto& b : k)
            b = static_cast<unsigned char>(rng());
    }
    return config::SecretBytes(std::move(k));
}

inline config::SecretBytes copy(const config::SecretBytes& k) {
    return config::SecretBytes(std::vector<unsigned char>(k.data(), k.data() + k.size()));
}

// Runs `body` with a Sender aimed at a loopback socket and returns every datagram it
// sent, in order. Fails the test if the loopback itself lost any.
inline std::vector<oneway::Bytes> capture(const config::SecretBytes& key,
                                          oneway::SenderOptions options, std::uint64_t session,
                                          const std::function<void(oneway::Sender&)>& body) {
    oneway::UdpReceiveSocket socket("127.0.0.1:0", 64 << 20);
    std::vector<oneway::Bytes> got;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        int idle = 0;
        while (!done || idle < 3) {
            const auto n = socket.receive(std::chrono::milliseconds(50), [&](oneway::ByteView d) {
                got.emplace_back(d.begin(), d.end());
            });
            idle = n == 0 ? idle + 1 : 0;
        }
    });
    options.destination = "127.0.0.1:" + std::to_string(socket.port());
    if (options.rate_bps == 100'000'000)
        options.rate_bps = 400'000'000;
    std::uint64_t sent = 0;
    try {
        oneway::Sender sender(key, options, session);
        body(sender);
        sender.heartbeat();
        sent = sender.counters().datagrams;
    } catch (...) {
        done = true;
        reader.join();
        throw;
    }
    done = true;
    reader.join();
    if (got.size() != sent)
        throw std::runtime_error("loopback lost datagrams while capturing: " +
                                 std::to_string(got.size()) + " of " + std::to_string(sent));
    return got;
}

inline oneway::Bytes random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    oneway::Bytes b(n);
    for (auto& x : b)
        x = static_cast<std::uint8_t>(rng());
    return b;
}

}  // namespace sekisho::test

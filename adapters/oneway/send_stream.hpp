#pragma once
// How sekishod hands items to its sekisho-send process: over a pipe, one frame per item,
//   "SKSD" | manifest length (u32) | payload length (u64) | manifest | payload
// and for each one, after every repetition has left, the answer
//   "SENT" | transfer id (16) | transfer number (u32) | datagrams (u64) | bytes (u64)
//          | refused (u64),
// the last three the sender's totals so far (datagrams the local stack refused last),
// for the daemon's metrics.
// The sender holds the link key and nothing else; the daemon keeps the queue keys.
// Integers are big-endian. Between items the sender heartbeats once a second.

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/oneway/sender.hpp"

namespace sekisho::oneway {

inline constexpr std::size_t kSentAnswerBytes = 4 + 16 + 4 + 8 + 8 + 8;

struct StreamItem {
    std::string manifest;  // JSON with "id"
    Bytes payload;
};

// Serves frames from `in` until it closes; returns the process exit code. Throws on a
// malformed frame (the daemon is the only writer: a bad frame is a bug, not an input).
int serve_daemon_stream(Sender& sender, int in, int out);

// The daemon's side.
void write_item_frame(int fd, const std::string& manifest, ByteView payload);
struct SentAnswer {
    TransferId id{};
    std::uint32_t number = 0;
    std::uint64_t datagrams = 0;  // sent by this sender process so far
    std::uint64_t bytes = 0;
    std::uint64_t refused = 0;
};
// nullopt when the sender closed its end.
std::optional<SentAnswer> read_sent_answer(int fd);

}  // namespace sekisho::oneway

#pragma once
// A minimal netlink client for asking the kernel questions (a route lookup, an XFRM
// policy dump). Everything the kernel sends is treated as input with limits: each
// datagram must fit the receive buffer (a truncated one is an error, never parsed), each
// message and attribute must fit inside its parent, and the answer must arrive within
// the timeout. Fixed structures are copied out with memcpy, so no alignment or aliasing
// assumptions are made about the receive buffer.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sekisho::chukan::netlink {

// One message of an answer: its header fields and the bytes after the header.
struct Message {
    std::uint16_t type = 0;
    std::uint16_t flags = 0;
    std::span<const std::byte> payload;
};

// One route/XFRM attribute (struct rtattr and struct nlattr share this layout).
struct Attribute {
    std::uint16_t type = 0;  // without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits
    std::span<const std::byte> payload;
};

// The attributes in `bytes`; throws std::runtime_error when one does not fit.
std::vector<Attribute> attributes(std::span<const std::byte> bytes);

// The bytes of `bytes` from `offset` on (empty when offset is past the end).
std::span<const std::byte> tail(std::span<const std::byte> bytes, std::size_t offset);

// A copy of the T at the start of `bytes`, or nullopt when `bytes` is too short.
template <class T>
std::optional<T> read(std::span<const std::byte> bytes) {
    if (bytes.size() < sizeof(T))
        return std::nullopt;
    T out;
    std::memcpy(&out, bytes.data(), sizeof(T));
    return out;
}

// Appends `bytes` to `out` (resize and memcpy: GCC 12 misreads vector::insert of a few
// bytes as an overflow).
void append_bytes(std::vector<std::byte>& out, std::span<const std::byte> bytes);

// Appends the raw bytes of `value` to `out` (request bodies and attributes).
template <class T>
void append(std::vector<std::byte>& out, const T& value) {
    append_bytes(out, std::as_bytes(std::span(&value, 1)));
}

// Appends an attribute (header, payload, padding to 4 bytes).
void append_attribute(std::vector<std::byte>& out, std::uint16_t type,
                      std::span<const std::byte> payload);

// What the kernel answered when it did not simply deliver the messages.
struct Outcome {
    int error = 0;             // the positive errno of an NLMSG_ERROR / NLMSG_DONE answer
    bool stopped = false;      // the caller's callback asked to stop reading
    bool interrupted = false;  // a dump carried NLM_F_DUMP_INTR (changed while dumped)
};

// Called for each message of an answer; returns false to stop reading.
using OnMessage = std::function<bool(const Message&)>;

// One netlink socket of one protocol (NETLINK_ROUTE, NETLINK_XFRM), for one question at
// a time. Not thread-safe; cheap enough to open for each check.
class Socket {
  public:
    // Throws std::runtime_error naming `protocol_name` when the socket cannot be opened.
    Socket(int protocol, std::string protocol_name,
           std::chrono::milliseconds timeout = std::chrono::seconds(2));
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    // Sends one request (`body` follows the header this fills in) and passes each message
    // of the answer to `on_message` until the answer ends (NLMSG_DONE, NLMSG_ERROR, or
    // the one message of a non-dump answer). Throws std::runtime_error when the kernel
    // does not answer within the timeout, or the answer is truncated or malformed.
    Outcome ask(std::uint16_t type, std::uint16_t flags, std::span<const std::byte> body,
                const OnMessage& on_message);

  private:
    void send(std::uint16_t type, std::uint16_t flags, std::span<const std::byte> body);
    std::span<const std::byte> receive(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::string name_;
    std::chrono::milliseconds timeout_;
    std::uint32_t seq_ = 0;
    std::vector<std::byte> buffer_;
};

}  // namespace sekisho::chukan::netlink

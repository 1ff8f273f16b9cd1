#include "adapters/clamd/client.hpp"

#include <algorithm>

#include "adapters/clamd/connection.hpp"
#include "config/settings.hpp"

namespace sekisho::clamd {
namespace {

Deadline deadline_after(std::chrono::milliseconds timeout) {
    return std::chrono::steady_clock::now() + timeout;
}

// The 4-byte big-endian length that precedes every INSTREAM chunk.
void put_length(char* out, std::uint32_t n) {
    out[0] = static_cast<char>((n >> 24) & 0xff);
    out[1] = static_cast<char>((n >> 16) & 0xff);
    out[2] = static_cast<char>((n >> 8) & 0xff);
    out[3] = static_cast<char>(n & 0xff);
}

ScanResult unavailable(Unavailable reason, std::string detail) {
    ScanResult r;
    r.status = ScanResult::Status::unavailable;
    r.reason = reason;
    r.detail = std::move(detail);
    return r;
}

}  // namespace

Client::Client(Address address, std::chrono::milliseconds timeout, std::uint64_t max_stream)
    : address_(std::move(address)), timeout_(timeout), max_stream_(max_stream) {}

Client Client::from_settings(const config::ClamdSettings& settings) {
    return Client(Address::parse(settings.socket), settings.timeout, settings.max_stream);
}

std::string Client::command(std::string_view name) const {
    const auto deadline = deadline_after(timeout_);
    auto conn = Connection::open(address_, deadline);
    const std::string request = "z" + std::string(name) + '\0';
    if (!conn.send_all(request, deadline)) {
        throw ClamdError(Unavailable::unreachable,
                         "clamd " + address_.describe() + ": connection lost while sending");
    }
    return conn.read_reply(kMaxReply, deadline);
}

void Client::ping() const {
    const auto reply = command("PING");
    if (reply != "PONG") {
        throw ClamdError(Unavailable::error,
                         "clamd " + address_.describe() + ": PING answered " + printable(reply));
    }
}

std::string Client::version() const {
    return printable(command("VERSION"));
}

StreamReply Client::instream(std::string_view bytes) const {
    const auto deadline = deadline_after(timeout_);
    auto conn = Connection::open(address_, deadline);
    constexpr std::string_view kCommand("zINSTREAM\0", 10);
    bool open = conn.send_all(kCommand, deadline);
    std::string frame(4 + kChunkSize, '\0');  // on the heap: worker stacks may be small
    for (std::size_t done = 0; open && done < bytes.size();) {
        const std::size_t n = std::min(kChunkSize, bytes.size() - done);
        put_length(frame.data(), static_cast<std::uint32_t>(n));
        std::copy_n(bytes.data() + done, n, frame.data() + 4);
        open = conn.send_all(std::string_view(frame.data(), 4 + n), deadline);
        done += n;
    }
    if (open) {
        put_length(frame.data(), 0);
        open = conn.send_all(std::string_view(frame.data(), 4), deadline);
    }
    // Also after a failed write: clamd answers a size limit or an error, then closes.
    StreamReply reply = parse_stream_reply(conn.read_reply(kMaxReply, deadline));
    if (!open && reply.kind == StreamReply::Kind::clean) {
        // Nobody can have scanned what was never sent: a clean answer to a cut-off stream
        // is a protocol error (a finding in the part that was sent still counts).
        reply = StreamReply{StreamReply::Kind::error, "clean reply to an incomplete stream"};
    }
    return reply;
}

ScanResult Client::scan(std::string_view bytes) const {
    if (bytes.size() > max_stream_) {
        return unavailable(Unavailable::size_limit, "stream of " + std::to_string(bytes.size()) +
                                                        " bytes exceeds clamd.max_stream " +
                                                        std::to_string(max_stream_));
    }
    try {
        const StreamReply reply = instream(bytes);
        switch (reply.kind) {
            case StreamReply::Kind::clean:
                return ScanResult{ScanResult::Status::clean, {}, Unavailable::error, {}};
            case StreamReply::Kind::found:
                return ScanResult{ScanResult::Status::found, reply.text, Unavailable::error, {}};
            case StreamReply::Kind::size_limit:
                return unavailable(Unavailable::size_limit,
                                   "clamd " + address_.describe() + ": " + reply.text);
            case StreamReply::Kind::error:
                break;
        }
        return unavailable(Unavailable::error,
                           "clamd " + address_.describe() + " answered: " + reply.text);
    } catch (const ClamdError& e) {
        return unavailable(e.reason(), e.what());
    }
}

}  // namespace sekisho::clamd

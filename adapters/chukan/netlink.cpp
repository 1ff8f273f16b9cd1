#include "adapters/chukan/netlink.hpp"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>

namespace sekisho::chukan::netlink {
namespace {

// Dumps come in datagrams of at most 32 KiB (the kernel sizes them from earlier reads,
// capped there); twice that leaves room, and anything bigger shows up as MSG_TRUNC.
constexpr std::size_t kReceiveBuffer = 64 * 1024;

std::runtime_error system_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

std::runtime_error malformed(const std::string& name, const std::string& what) {
    return std::runtime_error("malformed " + name + " answer from the kernel: " + what);
}

// The positive errno carried by NLMSG_ERROR (0: an acknowledgement) or NLMSG_DONE (an
// int that some families leave out, meaning success).
int answered_error(const nlmsghdr& header, std::span<const std::byte> payload,
                   const std::string& name) {
    const auto code = read<int>(payload);
    if (!code) {
        if (header.nlmsg_type == NLMSG_DONE)
            return 0;
        throw malformed(name, "NLMSG_ERROR without an error code");
    }
    return *code < 0 ? -*code : 0;
}

// Passes the messages of one datagram to `on_message`; true once the answer is complete.
bool walk(std::span<const std::byte> datagram, std::uint32_t seq, const OnMessage& on_message,
          Outcome& outcome, const std::string& name) {
    while (datagram.size() >= sizeof(nlmsghdr)) {
        const auto header = *read<nlmsghdr>(datagram);
        if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > datagram.size())
            throw malformed(name, "a message does not fit its datagram");
        const auto payload =
            datagram.subspan(sizeof(nlmsghdr), header.nlmsg_len - sizeof(nlmsghdr));
        datagram = tail(datagram, NLMSG_ALIGN(header.nlmsg_len));
        if (header.nlmsg_seq != seq || header.nlmsg_type == NLMSG_NOOP)
            continue;  // an answer to an earlier question on this socket, or filler
        if ((header.nlmsg_flags & NLM_F_DUMP_INTR) != 0)
            outcome.interrupted = true;
        if (header.nlmsg_type == NLMSG_ERROR || header.nlmsg_type == NLMSG_DONE) {
            outcome.error = answered_error(header, payload, name);
            return true;
        }
        if (header.nlmsg_type == NLMSG_OVERRUN)
            throw malformed(name, "NLMSG_OVERRUN (messages were lost)");
        if (!on_message(Message{header.nlmsg_type, header.nlmsg_flags, payload})) {
            outcome.stopped = true;
            return true;
        }
        if ((header.nlmsg_flags & NLM_F_MULTI) == 0)
            return true;  // a single answer, not a dump
    }
    if (!datagram.empty())
        throw malformed(name, "trailing bytes after the last message");
    return false;
}

}  // namespace

std::span<const std::byte> tail(std::span<const std::byte> bytes, std::size_t offset) {
    return offset >= bytes.size() ? std::span<const std::byte>{} : bytes.subspan(offset);
}

std::vector<Attribute> attributes(std::span<const std::byte> bytes) {
    std::vector<Attribute> out;
    // Fewer than a header's worth of bytes left is alignment padding.
    while (bytes.size() >= sizeof(nlattr)) {
        const auto header = *read<nlattr>(bytes);
        if (header.nla_len < sizeof(nlattr) || header.nla_len > bytes.size())
            throw std::runtime_error("malformed netlink attribute: length " +
                                     std::to_string(header.nla_len) + " with " +
                                     std::to_string(bytes.size()) + " bytes left");
        out.push_back({static_cast<std::uint16_t>(header.nla_type & NLA_TYPE_MASK),
                       bytes.subspan(sizeof(nlattr), header.nla_len - sizeof(nlattr))});
        bytes = tail(bytes, NLA_ALIGN(header.nla_len));
    }
    return out;
}

void append_bytes(std::vector<std::byte>& out, std::span<const std::byte> bytes) {
    if (bytes.empty())
        return;
    const auto at = out.size();
    out.resize(at + bytes.size());
    std::memcpy(out.data() + at, bytes.data(), bytes.size());
}

void append_attribute(std::vector<std::byte>& out, std::uint16_t type,
                      std::span<const std::byte> payload) {
    nlattr header{};
    header.nla_len = static_cast<std::uint16_t>(sizeof(nlattr) + payload.size());
    header.nla_type = type;
    append(out, header);
    append_bytes(out, payload);
    out.resize(out.size() + (NLA_ALIGN(header.nla_len) - header.nla_len), std::byte{0});
}

Socket::Socket(int protocol, std::string protocol_name, std::chrono::milliseconds timeout)
    : name_(std::move(protocol_name)), timeout_(timeout), buffer_(kReceiveBuffer) {
    fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd_ < 0)
        throw system_error("cannot open a " + name_ + " socket");
}

Socket::~Socket() {
    ::close(fd_);
}

Outcome Socket::ask(std::uint16_t type, std::uint16_t flags, std::span<const std::byte> body,
                    const OnMessage& on_message) {
    send(type, flags, body);
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    Outcome outcome;
    while (!walk(receive(deadline), seq_, on_message, outcome, name_)) {
    }
    return outcome;
}

void Socket::send(std::uint16_t type, std::uint16_t flags, std::span<const std::byte> body) {
    nlmsghdr header{};
    header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + body.size());
    header.nlmsg_type = type;
    header.nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST);
    header.nlmsg_seq = ++seq_;
    std::vector<std::byte> request;
    append(request, header);
    request.resize(NLMSG_HDRLEN, std::byte{0});
    append_bytes(request, body);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent = -1;
    do {
        sent = ::sendto(fd_, request.data(), request.size(), 0,
                        reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent != static_cast<ssize_t>(request.size()))
        throw system_error("cannot send a " + name_ + " request");
}

// The next datagram from the kernel (other senders are ignored: only the kernel's
// answers count), waiting no later than `deadline`.
std::span<const std::byte> Socket::receive(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            throw system_error("poll on the " + name_ + " socket");
        if (ready == 0)
            throw std::runtime_error("no complete " + name_ + " answer from the kernel within " +
                                     std::to_string(timeout_.count()) + " ms");
        sockaddr_nl from{};
        iovec io{buffer_.data(), buffer_.size()};
        msghdr m{};
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        m.msg_iov = &io;
        m.msg_iovlen = 1;
        const ssize_t n = ::recvmsg(fd_, &m, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            throw system_error("cannot read the " + name_ + " answer");
        if ((m.msg_flags & MSG_TRUNC) != 0)
            throw malformed(name_, "a datagram larger than " + std::to_string(buffer_.size()) +
                                       " bytes was truncated");
        if (from.nl_pid == 0)
            return std::span<const std::byte>(buffer_.data(), static_cast<std::size_t>(n));
    }
}

}  // namespace sekisho::chukan::netlink

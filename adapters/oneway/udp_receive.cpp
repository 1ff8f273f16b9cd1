#include "adapters/oneway/udp_receive.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace sekisho::oneway {
namespace {

constexpr std::size_t kBatch = 64;
constexpr std::size_t kSlot = 2048;  // larger than any datagram we accept, so none is cut

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

UdpReceiveSocket::UdpReceiveSocket(const std::string& listen, std::uint64_t buffer_bytes)
    : buffers_(kBatch * kSlot) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("receiver listen must be host:port: " + listen);
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    addrinfo* found = nullptr;
    if (const int rc =
            ::getaddrinfo(host.c_str(), listen.substr(colon + 1).c_str(), &hints, &found);
        rc != 0)
        throw std::runtime_error("receiver listen " + listen + ": " + gai_strerror(rc));
    fd_ = ::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        ::freeaddrinfo(found);
        fail("receiver socket");
    }
    const int size = static_cast<int>(std::min<std::uint64_t>(buffer_bytes, 1u << 30));
    // SO_RCVBUFFORCE passes net.core.rmem_max when privileged; otherwise the plain ask.
    if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    const int rc = ::bind(fd_, found->ai_addr, found->ai_addrlen);
    ::freeaddrinfo(found);
    if (rc != 0)
        fail("bind " + listen);
}

UdpReceiveSocket::~UdpReceiveSocket() {
    if (fd_ >= 0)
        ::close(fd_);
}

int UdpReceiveSocket::buffer_bytes() const {
    int size = 0;
    socklen_t len = sizeof size;
    ::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, &len);
    return size;
}

std::uint16_t UdpReceiveSocket::port() const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    if (addr.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

std::size_t UdpReceiveSocket::receive(std::chrono::milliseconds timeout,
                                      const std::function<void(ByteView)>& on_datagram) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR)
        fail("poll");
    if (ready <= 0)
        return 0;
    std::array<iovec, kBatch> iov{};
    std::array<mmsghdr, kBatch> msgs{};
    for (std::size_t i = 0; i < kBatch; ++i) {
        iov[i] = {buffers_.data() + i * kSlot, kSlot};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(fd_, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return 0;
        fail("recvmmsg");
    }
    for (int i = 0; i < n; ++i) {
        // A datagram cut by the slot size is not ours: parse_header refuses it by length.
        const bool cut = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
        on_datagram({buffers_.data() + i * kSlot, cut ? kSlot : msgs[i].msg_len});
    }
    return static_cast<std::size_t>(n);
}

}  // namespace sekisho::oneway

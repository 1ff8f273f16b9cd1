#pragma once
// The receiver's socket: bound to `listen`, a large receive buffer, datagrams taken in
// batches with recvmmsg. It never sends.

#include <chrono>
#include <functional>
#include <string>

#include "adapters/oneway/wire.hpp"

namespace sekisho::oneway {

class UdpReceiveSocket {
  public:
    UdpReceiveSocket(const std::string& listen, std::uint64_t buffer_bytes);
    ~UdpReceiveSocket();
    UdpReceiveSocket(const UdpReceiveSocket&) = delete;
    UdpReceiveSocket& operator=(const UdpReceiveSocket&) = delete;

    // Waits up to `timeout` for datagrams and passes each to `on_datagram`; returns how
    // many there were (0 on timeout or a signal).
    std::size_t receive(std::chrono::milliseconds timeout,
                        const std::function<void(ByteView)>& on_datagram);
    int buffer_bytes() const;  // what the kernel granted
    std::uint16_t port() const;

  private:
    int fd_ = -1;
    std::vector<std::uint8_t> buffers_;
};

}  // namespace sekisho::oneway

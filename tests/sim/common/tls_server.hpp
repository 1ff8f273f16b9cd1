#pragma once
// The network side of the simulators: HTTP/1.1 with keep-alive over mutual TLS, one
// coroutine per connection on one io_context. Requests go to an HttpService; responses
// come back with a delivery mode so faults (reset, truncation) happen on the wire.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/sim/common/http_service.hpp"
#include "tests/sim/common/recorder.hpp"

namespace sekisho::sim {

// TLS 1.2/1.3 server context that demands a client certificate verifying against
// `client_ca`. Throws boost::system::system_error when a file cannot be used.
boost::asio::ssl::context make_server_tls(const std::filesystem::path& cert_chain,
                                          const std::filesystem::path& key,
                                          const std::filesystem::path& client_ca);

struct ServerOptions {
    boost::asio::ip::tcp::endpoint listen{};
    std::string bind_device{};          // SO_BINDTODEVICE on the listening socket when not empty
    std::string server_name{};          // the Server header
    std::chrono::milliseconds slow{0};  // delay before every response
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 64 * 1024;
    std::chrono::seconds idle_timeout{30};
};

class TlsServer {
  public:
    // Binds and listens at once (throws std::system_error naming what failed), so port()
    // is known before start().
    TlsServer(boost::asio::io_context& io, boost::asio::ssl::context& tls, HttpService& service,
              Recorder* recorder, ServerOptions options);
    unsigned short port() const;
    void start();
    void stop();

  private:
    using Socket = boost::asio::ip::tcp::socket;
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(Socket socket);

    boost::asio::io_context& io_;
    boost::asio::ssl::context& tls_;
    HttpService& service_;
    Recorder* recorder_;
    ServerOptions options_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace sekisho::sim

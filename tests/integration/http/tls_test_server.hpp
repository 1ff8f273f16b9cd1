#pragma once
// A small HTTPS/1.1 server for the client tests: listens on 127.0.0.1 with an ephemeral
// port, runs on its own thread, and records what reached it (handshakes, requests, the
// client certificate), so that a test can prove a refused connection sent nothing.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/sim/pki.hpp"

namespace sekisho::test {

struct ServerRequest {
    std::string method;
    std::string target;
    boost::beast::http::fields headers;
    std::string body;
};

struct ServerReply {
    boost::beast::http::response<boost::beast::http::string_body> message{
        boost::beast::http::status::ok, 11};
    // Written before the message, e.g. an interim "HTTP/1.1 103 Early Hints" response.
    std::string raw_prefix;
    // When non-zero the body is this many pattern_byte()s, written in pieces instead of
    // message.body(): with Content-Length, or chunked when message.chunked().
    std::size_t generated_body = 0;
    // Sends only this many bytes of the serialized message, then holds the connection open
    // without sending anything until the client goes away.
    std::optional<std::size_t> stall_after;
};

// The byte at `offset` of a generated body.
inline unsigned char pattern_byte(std::size_t offset) {
    return static_cast<unsigned char>(offset % 251);
}

struct ServerOptions {
    sim::Issued certificate;               // the server's leaf with its key
    std::optional<sim::Issued> client_ca;  // when set, a client certificate from it is required
    int min_version = 0;                   // TLS1_2_VERSION etc.; 0 leaves the library's default
    int max_version = 0;
    int security_level = -1;  // -1 leaves the library's default
    bool silent = false;      // accept TCP, then never say anything
    std::function<ServerReply(const ServerRequest&)> handler;  // default: 200 "ok"
};

class TlsTestServer {
  public:
    explicit TlsTestServer(ServerOptions options);
    ~TlsTestServer();
    TlsTestServer(const TlsTestServer&) = delete;
    TlsTestServer& operator=(const TlsTestServer&) = delete;

    unsigned short port() const { return port_; }
    std::string url(const std::string& host, const std::string& path = "") const;

    std::size_t handshakes() const;
    std::size_t failed_handshakes() const;
    std::size_t request_count() const;
    std::vector<ServerRequest> requests() const;
    std::string client_common_name() const;  // of the last verified client certificate
    // Waits until every accepted connection has ended; false on time-out.
    bool wait_idle(std::chrono::milliseconds limit) const;

  private:
    class Session;
    void configure_tls();
    void start_accepting();
    void record_request(const ServerRequest& request);
    void record_handshake(bool ok, const std::string& client_cn);
    void session_started();
    void session_ended();

    ServerOptions options_;
    boost::asio::ssl::context tls_;
    mutable std::mutex mutex_;
    mutable std::condition_variable idle_;
    std::size_t handshakes_ = 0;
    std::size_t failed_handshakes_ = 0;
    std::size_t active_ = 0;
    std::vector<ServerRequest> requests_;
    std::string client_cn_;
    // Destroyed before the members above: pending sessions die with the io_context and
    // report their end to them.
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::thread thread_;
};

}  // namespace sekisho::test

#pragma once
// One HTTPS/1.1 connection to one server, kept open for several sequential requests.
//
// Guarantees: TLS 1.2 or 1.3 only; the server certificate chains to the configured CA file
// and matches the URL's host (DNS name via SNI and SSL_set1_host, IP literal via its IP
// SANs); when pins are configured the leaf's SPKI matches one of them before any request is
// sent; the client certificate is presented when the server asks for it. Redirects are
// never followed (a 3xx is an ordinary response). Every phase has a timeout, headers are
// limited to kMaxHeaderBytes and bodies to the caller's max_body, counted while reading.
// Every request carries Host, `User-Agent: sekisho/<version>` and a fresh
// `X-Request-Id: <uuid v4>`.
//
// Failures throw TransportError (see transport_error.hpp); after one the connection is
// closed (is_open() is false) and reconnecting is the caller's business. Misuse (a bad
// target or header) throws std::invalid_argument before anything is sent.
//
// Not thread-safe: one operation at a time, on the executor the connection was opened on
// (a single-threaded io_context or a strand); the object must outlive the operation it runs.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/endpoint.hpp"
#include "adapters/http/tls_client_context.hpp"
#include "adapters/http/transport_error.hpp"

namespace sekisho::http {

struct Timeouts {
    std::chrono::milliseconds connect{10000};    // resolve and TCP connect together
    std::chrono::milliseconds handshake{10000};  // TLS handshake; also the TLS shutdown
    std::chrono::milliseconds io{30000};         // each request write; each response read
};

inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

struct Response {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;
};

// Extra request headers, e.g. {"Authorization", "Bearer ..."}. Host, User-Agent,
// X-Request-Id, Content-Type, Content-Length, Transfer-Encoding and Connection are set by
// the connection and refused here.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

class Connection {
  public:
    using OnHead = std::function<void(unsigned status, const boost::beast::http::fields&)>;
    using OnChunk = std::function<void(std::span<const unsigned char>)>;

    // Resolves, connects, handshakes and checks the pins; on success the connection is
    // ready for requests. Runs on the calling coroutine's executor.
    static boost::asio::awaitable<std::unique_ptr<Connection>> open(
        Endpoint endpoint, std::shared_ptr<TlsClientContext> tls, Timeouts timeouts);
    // Same, building the TLS context from `tls` at once (before the first co_await; its
    // std::runtime_error for a bad CA file, certificate, key or pin is thrown by this call).
    static boost::asio::awaitable<std::unique_ptr<Connection>> open(Endpoint endpoint,
                                                                    const ClientTls& tls,
                                                                    Timeouts timeouts);

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Sends one request and reads the whole response, which must arrive within timeouts.io.
    // `target` is appended to the endpoint's base path and must start with "/". A non-empty
    // body needs a content_type. A response body over max_body is a body_too_large error.
    boost::asio::awaitable<Response> request(boost::beast::http::verb method, std::string target,
                                             std::string body, std::string content_type,
                                             std::size_t max_body, HeaderList extra_headers = {});

    // GET streamed: reads the head, calls on_head(status, headers) (which may throw to
    // abort, e.g. on a bad Content-Length or Repr-Digest; the connection is then closed and
    // the exception propagates unchanged), then hands the body to on_chunk in pieces of at
    // most kChunkBytes, so memory stays bounded whatever the body size. Each read has
    // timeouts.io. Returns the status.
    static constexpr std::size_t kChunkBytes = 64 * 1024;
    boost::asio::awaitable<unsigned> download(std::string target, std::size_t max_body,
                                              HeaderList extra_headers, OnHead on_head,
                                              OnChunk on_chunk);

    // TLS close_notify exchange within timeouts.handshake, then the socket is closed. Throws
    // TransportError (timeout or io) when the exchange fails; the socket is closed anyway.
    boost::asio::awaitable<void> close();

    // False after close(), after any failure, and after a response that ends the connection
    // (Connection: close, or a body delimited by the end of the stream).
    bool is_open() const { return open_; }
    const Endpoint& endpoint() const { return endpoint_; }
    // Lower-case hex SHA-256 of the DER server certificate (leaf) seen in the handshake.
    const std::string& server_cert_sha256() const { return server_cert_sha256_; }
    // The X-Request-Id of the most recent request, to log next to its outcome.
    const std::string& last_request_id() const { return last_request_id_; }

  private:
    using Stream = boost::asio::ssl::stream<boost::beast::tcp_stream>;
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    Connection(const boost::asio::any_io_executor& executor, Endpoint endpoint,
               std::shared_ptr<TlsClientContext> tls, Timeouts timeouts);

    // The endpoint's pinned addresses, or what its host resolves to.
    boost::asio::awaitable<std::vector<boost::asio::ip::tcp::endpoint>> resolve(
        std::chrono::steady_clock::time_point deadline);
    boost::asio::awaitable<void> connect();
    boost::asio::awaitable<void> handshake();
    void prepare_verification();
    void check_pins();
    Request make_request(boost::beast::http::verb method, const std::string& target,
                         std::string body, const std::string& content_type,
                         const HeaderList& extra_headers);
    boost::asio::awaitable<void> send(Request& request);
    void ensure_open() const;
    void finish_response(bool keep_alive);
    // Closes the socket and marks the connection unusable.
    void abandon() noexcept;
    [[noreturn]] void fail(const TransportError& error);
    TransportError failure(const boost::system::error_code& ec, const std::string& doing,
                           std::size_t max_body = 0) const;

    Endpoint endpoint_;
    std::shared_ptr<TlsClientContext> tls_;
    Timeouts timeouts_;
    Stream stream_;
    boost::beast::flat_buffer buffer_;
    bool open_ = false;
    bool answered_ = false;  // a complete response has arrived on this connection
    std::string server_cert_sha256_;
    std::string last_request_id_;
};

}  // namespace sekisho::http

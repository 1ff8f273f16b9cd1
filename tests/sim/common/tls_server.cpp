#include "tests/sim/common/tls_server.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cerrno>
#include <system_error>

#include "common/log.hpp"
#include "tests/sim/common/codec.hpp"

namespace sekisho::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using Parser = http::request_parser<http::string_body>;
using Error = boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kShutdownTimeout = std::chrono::seconds(5);

struct Peer {
    std::string cert_sha256;  // of the client certificate presented on the connection
};

// Hex SHA-256 of the DER certificate the client presented on this connection.
std::string peer_cert_sha256(SSL* ssl) {
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr)
        return {};
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert, &der);
    if (len <= 0)
        return {};
    auto out = hex(sha256(std::string_view(reinterpret_cast<char*>(der), len)));
    OPENSSL_free(der);
    return out;
}

std::string field(const Parser::value_type& m, http::field f) {
    const auto it = m.find(f);
    return it == m.end() ? std::string() : std::string(it->value());
}

Request to_request(const Parser& parser, const std::string& cert) {
    const auto& m = parser.get();
    Request r;
    r.method = std::string(m.method_string());
    r.target = std::string(m.target());
    r.user_agent = field(m, http::field::user_agent);
    const auto id = m.find("X-Request-Id");
    r.request_id = id == m.end() ? std::string() : std::string(id->value());
    r.authorization = field(m, http::field::authorization);
    r.content_type = field(m, http::field::content_type);
    for (const auto& f : m)
        r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = m.body();
    r.client_cert_sha256 = cert;
    return r;
}

// "64 KiB", "16 MiB", "1000 bytes".
std::string size_text(std::size_t bytes) {
    constexpr std::size_t kKiB = 1024;
    if (bytes % (kKiB * kKiB) == 0)
        return std::to_string(bytes / kKiB / kKiB) + " MiB";
    if (bytes % kKiB == 0)
        return std::to_string(bytes / kKiB) + " KiB";
    return std::to_string(bytes) + " bytes";
}

// The answer to a request that could not be read, or nullopt when the peer is gone
// (closed, timed out, TLS failure) and nothing can be answered.
std::optional<Response> unreadable(const Error& ec, const ServerOptions& options) {
    if (ec == http::error::header_limit)
        return problem(431, "headers-too-large", "Request Header Fields Too Large",
                       "request headers are limited to " + size_text(options.header_limit));
    if (ec == http::error::body_limit)
        return problem(413, "payload-too-large", "Content Too Large",
                       "request bodies are limited to " + size_text(options.body_limit));
    if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
        return problem(400, "bad-request", "Bad Request", "malformed HTTP request");
    return std::nullopt;
}

http::response<http::string_body> to_message(const Response& r, bool keep_alive,
                                             std::string_view server_name) {
    http::response<http::string_body> m{static_cast<http::status>(r.status), 11};
    m.set(http::field::server, server_name);
    if (!r.content_type.empty())
        m.set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers)
        m.insert(k, v);
    m.body() = r.body;
    m.keep_alive(keep_alive);
    if (r.delivery == Delivery::truncate) {
        // The whole length is announced, half the body goes out.
        m.content_length(r.body.size());
        m.body().resize(r.body.size() / 2);
    } else {
        m.prepare_payload();
    }
    return m;
}

// Without TLS close_notify, so the peer sees the connection cut, not a clean end.
void cut(Stream& stream, bool reset) {
    auto& socket = beast::get_lowest_layer(stream).socket();
    Error ignored;
    if (reset)
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
    else
        socket.shutdown(asio::socket_base::shutdown_both, ignored);
    socket.close(ignored);
}

asio::awaitable<void> close_gracefully(Stream& stream) {
    beast::get_lowest_layer(stream).expires_after(kShutdownTimeout);
    co_await stream.async_shutdown(kTuple);  // the peer may just close: errors do not matter
    Error ignored;
    beast::get_lowest_layer(stream).socket().close(ignored);
}

// Writes `r` as the fault mode says; whether the connection stays open.
asio::awaitable<bool> deliver(Stream& stream, const Response& r, bool keep_alive,
                              std::string_view server_name) {
    if (r.delivery == Delivery::reset) {
        cut(stream, true);
        co_return false;
    }
    const bool keep = keep_alive && r.delivery == Delivery::normal;
    auto message = to_message(r, keep, server_name);
    auto [ec, n] = co_await http::async_write(stream, message, kTuple);
    if (r.delivery == Delivery::truncate)
        cut(stream, false);
    co_return !ec && keep;
}

// Reads one request, answering "Expect: 100-continue" in between; the first error.
asio::awaitable<Error> read_request(Stream& stream, beast::flat_buffer& buffer, Parser& parser) {
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (!ec && parser.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> go_on{http::status::continue_, 11};
        std::tie(ec, n) = co_await http::async_write(stream, go_on, kTuple);
    }
    if (!ec)
        std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, kTuple);
    co_return ec;
}

// Reads, handles, records and answers one request; whether the connection stays open.
asio::awaitable<bool> serve_one(Stream& stream, beast::flat_buffer& buffer, const Peer& peer,
                                HttpService& service, Recorder* recorder,
                                const ServerOptions& options) {
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    const Error ec = co_await read_request(stream, buffer, parser);
    // Also after a limit error: what was parsed of the header goes into the record.
    const Request request = to_request(parser, peer.cert_sha256);
    const auto response = ec ? unreadable(ec, options) : service.handle(request);
    if (!response)
        co_return false;  // the peer is gone or timed out; nothing to answer
    if (recorder != nullptr)
        recorder->record(request, *response);
    if (options.slow.count() > 0) {
        asio::steady_timer timer(stream.get_executor(), options.slow);
        co_await timer.async_wait(kTuple);
    }
    const bool open =
        co_await deliver(stream, *response, !ec && parser.get().keep_alive(), options.server_name);
    if (!open && response->delivery == Delivery::normal)
        co_await close_gracefully(stream);
    co_return open;
}

}  // namespace

ssl::context make_server_tls(const std::filesystem::path& cert_chain,
                             const std::filesystem::path& key,
                             const std::filesystem::path& client_ca) {
    ssl::context tls(ssl::context::tls_server);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    SSL_CTX* ctx = tls.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    tls.use_certificate_chain_file(cert_chain.string());
    tls.use_private_key_file(key.string(), ssl::context::pem);
    tls.load_verify_file(client_ca.string());
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca.c_str()))
        SSL_CTX_set_client_CA_list(ctx, names);
    tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    // Every connection does a full handshake with a client certificate, so the record's
    // client_cert_sha256 always names the certificate presented, also across rotations.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    return tls;
}

TlsServer::TlsServer(asio::io_context& io, ssl::context& tls, HttpService& service,
                     Recorder* recorder, ServerOptions options)
    : io_(io),
      tls_(tls),
      service_(service),
      recorder_(recorder),
      options_(std::move(options)),
      acceptor_(io) {
    acceptor_.open(options_.listen.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    const auto& device = options_.bind_device;
    if (!device.empty() && ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_BINDTODEVICE,
                                        device.c_str(), static_cast<socklen_t>(device.size())) != 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot bind the listening socket to device " + device);
    acceptor_.bind(options_.listen);
    acceptor_.listen();
}

unsigned short TlsServer::port() const {
    return acceptor_.local_endpoint().port();
}

void TlsServer::start() {
    asio::co_spawn(io_, accept_loop(), asio::detached);
}

void TlsServer::stop() {
    Error ignored;
    acceptor_.close(ignored);
}

asio::awaitable<void> TlsServer::accept_loop() {
    while (acceptor_.is_open()) {
        auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
        if (ec == asio::error::operation_aborted)
            co_return;
        if (ec)
            continue;
        // Head and body leave in separate writes; without this the body waits for the
        // client's delayed ACK (~40 ms a response), which would bound every benchmark.
        boost::system::error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> TlsServer::session(Socket socket) {
    Stream stream(std::move(socket), tls_);
    beast::get_lowest_layer(stream).expires_after(options_.idle_timeout);
    if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple); ec) {
        log::info("TLS handshake failed", {{"error", ec.message()}});
        co_return;
    }
    const Peer peer{peer_cert_sha256(stream.native_handle())};
    beast::flat_buffer buffer;
    while (co_await serve_one(stream, buffer, peer, service_, recorder_, options_)) {
    }
}

}  // namespace sekisho::sim

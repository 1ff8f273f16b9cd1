#include "adapters/http/connection.hpp"

#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <stdexcept>

#include "common/version.hpp"

namespace sekisho::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// Room for a full header block plus one read; responses never need the whole body here.
constexpr std::size_t kReadBufferLimit = kMaxHeaderBytes + 64 * 1024;
// 100 Continue and 103 Early Hints may precede the real answer; a server sending more is
// misbehaving.
constexpr int kMaxInterimResponses = 4;

auto on_error(error_code& ec) {
    return asio::redirect_error(asio::use_awaitable, ec);
}

std::string random_uuid_v4() {
    std::array<unsigned char, 16> b{};
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
        throw std::runtime_error("X-Request-Id: the random generator failed");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    const std::string hex = hex_lower(b);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

template <typename Encoder, typename Object>
std::string der_sha256_hex(Encoder encode, Object* object) {
    unsigned char* der = nullptr;
    const int len = encode(object, &der);
    if (len <= 0)
        throw std::runtime_error("cannot encode the server certificate");
    const Sha256Digest digest = sha256({der, static_cast<std::size_t>(len)});
    OPENSSL_free(der);
    return hex_lower(digest);
}

Sha256Digest spki_sha256(X509* cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    if (len <= 0)
        throw std::runtime_error("cannot encode the server public key");
    const Sha256Digest digest = sha256({der, static_cast<std::size_t>(len)});
    OPENSSL_free(der);
    return digest;
}

bool is_token(std::string_view name) {
    static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    if (name.empty())
        return false;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && kSpecials.find(c) == std::string_view::npos)
            return false;
    }
    return true;
}

// Field values may hold visible characters, spaces and tabs; CR or LF would let a value
// inject further headers.
bool is_field_value(std::string_view value) {
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

bool is_managed_header(std::string_view name) {
    static constexpr std::array<std::string_view, 7> kManaged = {
        "host",           "user-agent", "x-request-id",     "content-type",
        "content-length", "connection", "transfer-encoding"};
    std::string lower;
    for (char c : name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::find(kManaged.begin(), kManaged.end(), lower) != kManaged.end();
}

void check_target(const std::string& target) {
    if (target.empty() || target.front() != '/')
        throw std::invalid_argument("HTTP request target must start with '/'");
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            throw std::invalid_argument("HTTP request target holds a space or control character");
    }
}

// Reads response heads until the final one (skipping 1xx interim responses, which have no
// body). The parser is re-created for each head because a parser reads one message.
template <typename Body>
asio::awaitable<error_code> read_final_head(asio::ssl::stream<beast::tcp_stream>& stream,
                                            beast::flat_buffer& buffer,
                                            std::optional<bhttp::response_parser<Body>>& parser,
                                            std::size_t max_body, bool head_request) {
    for (int interim = 0;; ++interim) {
        parser.emplace();
        parser->header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
        parser->body_limit(static_cast<std::uint64_t>(max_body));
        parser->skip(head_request);
        error_code ec;
        co_await bhttp::async_read_header(stream, buffer, *parser, on_error(ec));
        if (ec)
            co_return ec;
        const unsigned status = parser->get().result_int();
        if (status >= 200 && status <= 599)
            co_return error_code{};
        if (status < 100 || status == 101 || interim >= kMaxInterimResponses)
            co_return bhttp::error::bad_status;
    }
}

}  // namespace

Connection::Connection(const asio::any_io_executor& executor, Endpoint endpoint,
                       std::shared_ptr<TlsClientContext> tls, Timeouts timeouts)
    : endpoint_(std::move(endpoint)),
      tls_(std::move(tls)),
      timeouts_(timeouts),
      stream_(executor, tls_->native()),
      buffer_(kReadBufferLimit) {}

Connection::~Connection() = default;

asio::awaitable<std::unique_ptr<Connection>> Connection::open(Endpoint endpoint,
                                                              std::shared_ptr<TlsClientContext> tls,
                                                              Timeouts timeouts) {
    const auto executor = co_await asio::this_coro::executor;
    std::unique_ptr<Connection> conn(
        new Connection(executor, std::move(endpoint), std::move(tls), timeouts));
    co_await conn->connect();
    co_await conn->handshake();
    conn->check_pins();
    conn->open_ = true;
    co_return conn;
}

// Not a coroutine: the context is built while `tls` is certainly alive.
asio::awaitable<std::unique_ptr<Connection>> Connection::open(Endpoint endpoint,
                                                              const ClientTls& tls,
                                                              Timeouts timeouts) {
    return open(std::move(endpoint), TlsClientContext::create(tls), timeouts);
}

asio::awaitable<std::vector<tcp::endpoint>> Connection::resolve(
    std::chrono::steady_clock::time_point deadline) {
    const std::string where = endpoint_.authority() + ": ";
    std::vector<tcp::endpoint> out;
    if (!endpoint_.addresses.empty()) {
        const auto port = static_cast<unsigned short>(std::stoi(endpoint_.port));
        for (const auto& a : endpoint_.addresses) {
            error_code ec;
            const auto address = asio::ip::make_address(a, ec);
            if (ec)
                throw std::invalid_argument(where + "not an address: " + a);
            out.emplace_back(address, port);
        }
        co_return out;
    }
    const auto executor = co_await asio::this_coro::executor;
    // The resolver has no timeout of its own; a timer cancels it. Both handlers share the
    // resolver so that a late timer cannot touch a destroyed one.
    auto resolver = std::make_shared<tcp::resolver>(executor);
    auto timed_out = std::make_shared<bool>(false);
    asio::steady_timer timer(executor, deadline);
    timer.async_wait([resolver, timed_out](const error_code& ec) {
        if (!ec) {
            *timed_out = true;
            resolver->cancel();
        }
    });
    const auto flags = endpoint_.is_ip_literal()
                           ? tcp::resolver::numeric_host | tcp::resolver::numeric_service
                           : tcp::resolver::numeric_service;
    error_code ec;
    const auto results =
        co_await resolver->async_resolve(endpoint_.host, endpoint_.port, flags, on_error(ec));
    timer.cancel();
    if (*timed_out)
        throw TransportError(TransportErrorKind::timeout, where + "name resolution timed out");
    if (ec || results.empty())
        throw TransportError(
            TransportErrorKind::resolve,
            where + "cannot resolve host: " + (ec ? ec.message() : std::string("no address")));
    for (const auto& r : results)
        out.push_back(r.endpoint());
    co_return out;
}

asio::awaitable<void> Connection::connect() {
    const auto deadline = std::chrono::steady_clock::now() + timeouts_.connect;
    const auto endpoints = co_await resolve(deadline);
    const std::string where = endpoint_.authority() + ": ";
    error_code ec;
    auto& tcp_stream = beast::get_lowest_layer(stream_);
    tcp_stream.expires_at(deadline);
    co_await tcp_stream.async_connect(endpoints, on_error(ec));
    if (ec == beast::error::timeout)
        throw TransportError(TransportErrorKind::timeout, where + "TCP connect timed out");
    if (ec)
        throw TransportError(TransportErrorKind::connect,
                             where + "TCP connect failed: " + ec.message());
    // Requests are small and written whole: waiting to coalesce them only adds latency.
    boost::system::error_code ignored;
    tcp_stream.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
}

void Connection::prepare_verification() {
    SSL* ssl = stream_.native_handle();
    const std::string& host = endpoint_.host;
    if (endpoint_.is_ip_literal()) {
        // No SNI for addresses (RFC 6066); the certificate must carry the address as IP SAN.
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1)
            throw std::logic_error("cannot set the expected server address");
    } else {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1 ||
            SSL_set1_host(ssl, host.c_str()) != 1)
            throw std::logic_error("cannot set the expected server name");
    }
    // Only observes: records the leaf seen so that a refusal can name the certificate.
    stream_.set_verify_callback([this](bool preverified, asio::ssl::verify_context& context) {
        X509_STORE_CTX* store = context.native_handle();
        X509* cert = X509_STORE_CTX_get_current_cert(store);
        if (cert == nullptr || X509_STORE_CTX_get_error_depth(store) != 0)
            return preverified;
        try {
            server_cert_sha256_ = der_sha256_hex(i2d_X509, cert);
        } catch (const std::exception&) {
            // Fail closed: the handshake then reports a verification failure.
            X509_STORE_CTX_set_error(store, X509_V_ERR_OUT_OF_MEM);
            return false;
        }
        return preverified;
    });
}

asio::awaitable<void> Connection::handshake() {
    prepare_verification();
    const std::string where = endpoint_.authority() + ": ";
    beast::get_lowest_layer(stream_).expires_after(timeouts_.handshake);
    error_code ec;
    co_await stream_.async_handshake(asio::ssl::stream_base::client, on_error(ec));
    if (!ec)
        co_return;
    if (ec == beast::error::timeout)
        throw TransportError(TransportErrorKind::timeout, where + "TLS handshake timed out");
    const long verify = SSL_get_verify_result(stream_.native_handle());
    if (verify != X509_V_OK) {
        std::string message =
            where + "server certificate rejected: " + X509_verify_cert_error_string(verify);
        if (!server_cert_sha256_.empty())
            message += " (certificate sha256 " + server_cert_sha256_ + ")";
        throw TransportError(TransportErrorKind::certificate, message);
    }
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
        throw TransportError(TransportErrorKind::tls_handshake,
                             where + "server closed the connection during the TLS handshake");
    throw TransportError(TransportErrorKind::tls_handshake,
                         where + "TLS handshake failed: " + ec.message());
}

void Connection::check_pins() {
    X509* leaf = SSL_get0_peer_certificate(stream_.native_handle());
    if (leaf == nullptr)
        fail(TransportError(TransportErrorKind::certificate,
                            endpoint_.authority() + ": server sent no certificate"));
    server_cert_sha256_ = der_sha256_hex(i2d_X509, leaf);
    if (!tls_->has_pins())
        return;
    const Sha256Digest spki = spki_sha256(leaf);
    if (!tls_->pin_matches(spki))
        fail(TransportError(TransportErrorKind::pin_mismatch,
                            endpoint_.authority() + ": server public key (pin " +
                                base64_encode(spki) + ") matches none of the " +
                                std::to_string(tls_->pin_count()) + " configured pins"));
}

Connection::Request Connection::make_request(bhttp::verb method, const std::string& target,
                                             std::string body, const std::string& content_type,
                                             const HeaderList& extra_headers) {
    check_target(target);
    if (!body.empty() && content_type.empty())
        throw std::invalid_argument("HTTP request body without a content type");
    Request request{method, endpoint_.base_path + target, 11};
    for (const auto& [name, value] : extra_headers) {
        // Names only in messages: values may be credentials (Authorization).
        if (!is_token(name) || is_managed_header(name))
            throw std::invalid_argument("HTTP request header name refused: " + name);
        if (!is_field_value(value))
            throw std::invalid_argument("HTTP request header " + name + " has a control character");
        request.insert(name, value);
    }
    last_request_id_ = random_uuid_v4();
    request.set(bhttp::field::host, endpoint_.host_header());
    request.set(bhttp::field::user_agent, std::string("sekisho/") + kVersion);
    request.set("X-Request-Id", last_request_id_);
    if (!content_type.empty())
        request.set(bhttp::field::content_type, content_type);
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
}

asio::awaitable<void> Connection::send(Request& request) {
    beast::get_lowest_layer(stream_).expires_after(timeouts_.io);
    error_code ec;
    co_await bhttp::async_write(stream_, request, on_error(ec));
    if (ec)
        fail(failure(ec, "sending the request"));
}

asio::awaitable<Response> Connection::request(bhttp::verb method, std::string target,
                                              std::string body, std::string content_type,
                                              std::size_t max_body, HeaderList extra_headers) {
    Request req = make_request(method, target, std::move(body), content_type, extra_headers);
    ensure_open();
    co_await send(req);

    // One deadline for the whole response: API answers are small and must not trickle.
    beast::get_lowest_layer(stream_).expires_after(timeouts_.io);
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    error_code ec =
        co_await read_final_head(stream_, buffer_, parser, max_body, method == bhttp::verb::head);
    if (!ec && !parser->is_done())
        co_await bhttp::async_read(stream_, buffer_, *parser, on_error(ec));
    if (ec)
        fail(failure(ec, "reading the response", max_body));

    auto& message = parser->get();
    Response response{message.result_int(), message.base(), std::move(message.body())};
    finish_response(message.keep_alive() && !parser->need_eof());
    co_return response;
}

asio::awaitable<unsigned> Connection::download(std::string target, std::size_t max_body,
                                               HeaderList extra_headers, OnHead on_head,
                                               OnChunk on_chunk) {
    if (!on_chunk)
        throw std::invalid_argument("download without a chunk handler");
    Request req = make_request(bhttp::verb::get, target, {}, {}, extra_headers);
    ensure_open();
    co_await send(req);

    beast::get_lowest_layer(stream_).expires_after(timeouts_.io);
    std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;
    error_code ec = co_await read_final_head(stream_, buffer_, parser, max_body, false);
    if (ec)
        fail(failure(ec, "reading the response head", max_body));
    const unsigned status = parser->get().result_int();
    try {
        if (on_head)
            on_head(status, parser->get().base());
    } catch (...) {
        abandon();  // the unread body makes the connection useless
        throw;
    }

    std::vector<unsigned char> chunk(kChunkBytes);
    while (!parser->is_done()) {
        parser->get().body().data = chunk.data();
        parser->get().body().size = chunk.size();
        beast::get_lowest_layer(stream_).expires_after(timeouts_.io);
        co_await bhttp::async_read_some(stream_, buffer_, *parser, on_error(ec));
        if (ec == bhttp::error::need_buffer)
            ec = {};  // the chunk buffer is full: hand it over, then read on
        if (ec)
            fail(failure(ec, "reading the response body", max_body));
        const std::size_t filled = chunk.size() - parser->get().body().size;
        if (filled == 0)
            continue;
        try {
            on_chunk(std::span<const unsigned char>(chunk.data(), filled));
        } catch (...) {
            abandon();
            throw;
        }
    }
    finish_response(parser->get().keep_alive() && !parser->need_eof());
    co_return status;
}

asio::awaitable<void> Connection::close() {
    if (!open_)
        co_return;
    open_ = false;
    beast::get_lowest_layer(stream_).expires_after(timeouts_.handshake);
    error_code ec;
    co_await stream_.async_shutdown(on_error(ec));
    abandon();
    // A server that closes TCP right after (or instead of) its close_notify is ordinary at
    // the end of a session: nothing was lost, the exchange is just not symmetric.
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
        co_return;
    if (ec)
        throw failure(ec, "closing the TLS session");
}

void Connection::ensure_open() const {
    if (!open_)
        throw TransportError(TransportErrorKind::io,
                             endpoint_.authority() + ": the connection is closed");
}

void Connection::finish_response(bool keep_alive) {
    answered_ = true;
    beast::get_lowest_layer(stream_).expires_never();
    if (!keep_alive)
        abandon();
}

void Connection::abandon() noexcept {
    open_ = false;
    // The connection is being given up; a failure to close a socket nobody will use again
    // changes nothing, so its error code is not reported.
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
}

void Connection::fail(const TransportError& error) {
    abandon();
    throw error;
}

TransportError Connection::failure(const error_code& ec, const std::string& doing,
                                   std::size_t max_body) const {
    const std::string where = endpoint_.authority() + ": ";
    if (ec == beast::error::timeout)
        return {TransportErrorKind::timeout, where + "timed out " + doing};
    if (ec == bhttp::error::body_limit)
        return {TransportErrorKind::body_too_large, where + "response body exceeds the limit of " +
                                                        std::to_string(max_body) + " bytes"};
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
        ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
        return {TransportErrorKind::io, where + "connection closed by the server while " + doing};
    // In TLS 1.3 the client finishes its side of the handshake before the server has checked
    // the client certificate; a refusal (an alert such as "unknown ca") then arrives with the
    // first response. It is still a handshake failure, not a broken connection.
    if (ec.category() == asio::error::get_ssl_category() && !answered_)
        return {TransportErrorKind::tls_handshake,
                where + "TLS session refused by the server after the handshake: " + ec.message()};
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_status).category())
        return {TransportErrorKind::protocol,
                where + "unacceptable HTTP response while " + doing + ": " + ec.message()};
    return {TransportErrorKind::io, where + doing + " failed: " + ec.message()};
}

}  // namespace sekisho::http

#include "tests/integration/http/tls_test_server.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace sekisho::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;
using Stream = asio::ssl::stream<beast::tcp_stream>;

constexpr auto kServerTimeout = std::chrono::seconds(10);
constexpr std::size_t kPiece = 64 * 1024;

auto on_error(error_code& ec) {
    return asio::redirect_error(asio::use_awaitable, ec);
}

ServerReply default_reply(const ServerRequest&) {
    ServerReply reply;
    reply.message.body() = "ok";
    return reply;
}

std::string common_name(SSL* ssl) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    if (peer == nullptr)
        return "";
    std::array<char, 256> cn{};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn.data(),
                                  static_cast<int>(cn.size())) < 0)
        return "";
    return cn.data();
}

// Reads and discards until the peer goes away: a server that holds the line but never
// answers.
template <typename AsyncStream>
asio::awaitable<void> hold(AsyncStream& stream) {
    std::array<char, 1024> sink{};
    error_code ec;
    while (!ec)
        co_await stream.async_read_some(asio::buffer(sink), on_error(ec));
}

}  // namespace

class TlsTestServer::Session {
  public:
    static asio::awaitable<void> run(TlsTestServer* server, asio::ip::tcp::socket socket) {
        try {
            if (server->options_.silent)
                co_await hold(socket);
            else
                co_await serve(server, std::move(socket));
        } catch (const std::exception&) {
            // A broken test connection is the client's failure to report, not the server's.
        }
        server->session_ended();
    }

  private:
    static asio::awaitable<void> serve(TlsTestServer* server, asio::ip::tcp::socket socket) {
        Stream stream(std::move(socket), server->tls_);
        beast::get_lowest_layer(stream).expires_after(kServerTimeout);
        error_code ec;
        co_await stream.async_handshake(asio::ssl::stream_base::server, on_error(ec));
        server->record_handshake(!ec, ec ? "" : common_name(stream.native_handle()));
        if (ec)
            co_return;
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> request;
            beast::get_lowest_layer(stream).expires_after(kServerTimeout);
            co_await http::async_read(stream, buffer, request, on_error(ec));
            if (ec)
                co_return;
            ServerRequest seen{std::string(request.method_string()), std::string(request.target()),
                               request.base(), request.body()};
            server->record_request(seen);
            const auto& handler = server->options_.handler;
            ServerReply reply = handler ? handler(seen) : default_reply(seen);
            if (!request.keep_alive())
                reply.message.keep_alive(false);
            if (!co_await send(stream, reply))
                break;
        }
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
        co_await stream.async_shutdown(on_error(ec));
    }

    // Returns whether the connection stays open for another request.
    static asio::awaitable<bool> send(Stream& stream, ServerReply& reply) {
        auto& message = reply.message;
        if (!reply.raw_prefix.empty())
            co_await asio::async_write(stream, asio::buffer(reply.raw_prefix), asio::use_awaitable);
        if (reply.generated_body > 0) {
            co_await send_generated(stream, reply);
            co_return message.keep_alive();
        }
        if (!message.chunked())
            message.prepare_payload();
        if (reply.stall_after) {
            std::ostringstream out;
            out << message;
            std::string raw = out.str();
            raw.resize(std::min(raw.size(), *reply.stall_after));
            co_await asio::async_write(stream, asio::buffer(raw), asio::use_awaitable);
            beast::get_lowest_layer(stream).expires_never();
            co_await hold(stream);
            co_return false;
        }
        co_await http::async_write(stream, message, asio::use_awaitable);
        co_return message.keep_alive();
    }

    static asio::awaitable<void> send_generated(Stream& stream, const ServerReply& reply) {
        const auto& message = reply.message;
        http::response<http::empty_body> head{message.result(), 11};
        for (const auto& field : message)
            head.set(field.name_string(), field.value());
        head.keep_alive(message.keep_alive());
        if (message.chunked())
            head.chunked(true);
        else
            head.content_length(reply.generated_body);
        http::response_serializer<http::empty_body> serializer{head};
        co_await http::async_write_header(stream, serializer, asio::use_awaitable);

        // One buffer for the whole body: the client's memory use is what a test measures,
        // and a fresh allocation per piece would blur it.
        std::string framed;
        framed.reserve(kPiece + 32);
        for (std::size_t offset = 0; offset < reply.generated_body;) {
            const std::size_t n = std::min(kPiece, reply.generated_body - offset);
            framed.clear();
            if (message.chunked()) {
                std::array<char, 32> size{};
                std::snprintf(size.data(), size.size(), "%zx\r\n", n);
                framed += size.data();
            }
            for (std::size_t i = 0; i < n; ++i)
                framed += static_cast<char>(pattern_byte(offset + i));
            if (message.chunked())
                framed += "\r\n";
            co_await asio::async_write(stream, asio::buffer(framed), asio::use_awaitable);
            offset += n;
        }
        if (message.chunked())
            co_await asio::async_write(stream, asio::buffer(std::string_view("0\r\n\r\n")),
                                       asio::use_awaitable);
    }
};

TlsTestServer::TlsTestServer(ServerOptions options)
    : options_(std::move(options)),
      tls_(asio::ssl::context::tls_server),
      acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    configure_tls();
    port_ = acceptor_.local_endpoint().port();
    start_accepting();
    thread_ = std::thread([this] { io_.run(); });
}

TlsTestServer::~TlsTestServer() {
    io_.stop();
    thread_.join();
}

void TlsTestServer::configure_tls() {
    SSL_CTX* ctx = tls_.native_handle();
    // Lowered first: at the default level OpenSSL refuses TLS 1.1 and SHA-1 outright.
    if (options_.security_level >= 0) {
        SSL_CTX_set_security_level(ctx, options_.security_level);
        if (SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") != 1)
            throw std::runtime_error("test server: cipher list refused");
    }
    const std::string cert = options_.certificate.cert_pem();
    const std::string key = options_.certificate.key_pem();
    tls_.use_certificate_chain(asio::buffer(cert));
    tls_.use_private_key(asio::buffer(key), asio::ssl::context::pem);
    if (options_.min_version != 0)
        SSL_CTX_set_min_proto_version(ctx, options_.min_version);
    if (options_.max_version != 0)
        SSL_CTX_set_max_proto_version(ctx, options_.max_version);
    if (options_.client_ca) {
        X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), options_.client_ca->cert.get());
        SSL_CTX_add_client_CA(ctx, options_.client_ca->cert.get());
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        static const unsigned char kContext[] = "sekisho-test";
        SSL_CTX_set_session_id_context(ctx, kContext, sizeof kContext - 1);
    }
}

void TlsTestServer::start_accepting() {
    asio::co_spawn(
        io_,
        [this]() -> asio::awaitable<void> {
            for (;;) {
                error_code ec;
                auto socket = co_await acceptor_.async_accept(on_error(ec));
                if (ec)
                    co_return;
                session_started();
                asio::co_spawn(io_, Session::run(this, std::move(socket)), asio::detached);
            }
        },
        asio::detached);
}

std::string TlsTestServer::url(const std::string& host, const std::string& path) const {
    return "https://" + host + ":" + std::to_string(port_) + path;
}

std::size_t TlsTestServer::handshakes() const {
    std::lock_guard lock(mutex_);
    return handshakes_;
}

std::size_t TlsTestServer::failed_handshakes() const {
    std::lock_guard lock(mutex_);
    return failed_handshakes_;
}

std::size_t TlsTestServer::request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

std::vector<ServerRequest> TlsTestServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::string TlsTestServer::client_common_name() const {
    std::lock_guard lock(mutex_);
    return client_cn_;
}

bool TlsTestServer::wait_idle(std::chrono::milliseconds limit) const {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, limit, [this] { return active_ == 0; });
}

void TlsTestServer::record_request(const ServerRequest& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
}

void TlsTestServer::record_handshake(bool ok, const std::string& client_cn) {
    std::lock_guard lock(mutex_);
    if (ok) {
        ++handshakes_;
        client_cn_ = client_cn;
    } else {
        ++failed_handshakes_;
    }
}

void TlsTestServer::session_started() {
    std::lock_guard lock(mutex_);
    ++active_;
}

void TlsTestServer::session_ended() {
    std::lock_guard lock(mutex_);
    --active_;
    idle_.notify_all();
}

}  // namespace sekisho::test

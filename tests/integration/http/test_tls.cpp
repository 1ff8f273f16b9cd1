// The HTTPS client against real TLS servers on 127.0.0.1: every refusal must happen before
// a request is sent, with an error kind and a message that say why.

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "adapters/http/connection.hpp"
#include "adapters/http/repr_digest.hpp"
#include "common/version.hpp"
#include "tests/integration/http/tls_test_server.hpp"
#include "tests/sim/pki.hpp"
#include "tests/support/temp_dir.hpp"

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;
using sekisho::http::Connection;
using sekisho::http::Endpoint;
using sekisho::http::Response;
using sekisho::http::TlsClientContext;
using sekisho::http::TransportError;
using Kind = sekisho::http::TransportErrorKind;
using sekisho::sim::Issued;
using sekisho::test::ServerOptions;
using sekisho::test::ServerReply;
using sekisho::test::ServerRequest;
using sekisho::test::TlsTestServer;

namespace {

constexpr sekisho::http::Timeouts kTimeouts{.connect = 2000ms, .handshake = 2000ms, .io = 2000ms};
constexpr std::size_t kMaxBody = 1 << 20;

Issued make(sekisho::sim::CertOptions options, const Issued* issuer) {
    options.key = sekisho::sim::KeyType::p256;  // fast to generate; RSA adds nothing here
    return sekisho::sim::make_cert(options, issuer);
}

// A server CA (the client's only trust anchor), a client CA and the client's certificate.
struct Pki {
    Issued server_ca = make({.common_name = "Test Server CA", .ca = true}, nullptr);
    Issued client_ca = make({.common_name = "Test Client CA", .ca = true}, nullptr);
    Issued client = make({.common_name = "sekisho client", .client_auth = true}, &client_ca);
    sekisho::test::TempDir dir;
    std::filesystem::path ca_file = dir / "server-ca.pem";

    Pki() { sekisho::test::write_file(ca_file, server_ca.cert_pem()); }

    Issued server(std::vector<std::string> dns = {"localhost"},
                  std::vector<std::string> ips = {"127.0.0.1"}, int not_before = -1,
                  int not_after = 365) const {
        return make({.common_name = "server",
                     .dns_names = std::move(dns),
                     .ip_addresses = std::move(ips),
                     .not_before_days = not_before,
                     .not_after_days = not_after,
                     .server_auth = true},
                    &server_ca);
    }

    std::shared_ptr<TlsClientContext> tls(std::vector<std::string> pins = {},
                                          const Issued* identity = nullptr) const {
        const Issued& id = identity != nullptr ? *identity : client;
        const std::string key = id.key_pem();
        sekisho::http::ClientTls config;
        config.ca_file = ca_file;
        config.pin_sha256 = std::move(pins);
        config.client_cert_chain_pem = id.cert_pem();
        config.client_key_pem =
            sekisho::config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end()));
        return TlsClientContext::create(config);
    }
};

template <typename F>
auto run(F coroutine) {
    asio::io_context io;
    auto result = asio::co_spawn(io, std::move(coroutine), asio::use_future);
    io.run();
    return result.get();
}

Response fetch(const std::string& url, std::shared_ptr<TlsClientContext> tls,
               sekisho::http::Timeouts timeouts = kTimeouts, std::size_t max_body = kMaxBody) {
    return run([&]() -> asio::awaitable<Response> {
        auto conn = co_await Connection::open(Endpoint::parse(url), tls, timeouts);
        auto response = co_await conn->request(bhttp::verb::get, "/", "", "", max_body);
        co_await conn->close();
        co_return response;
    });
}

template <typename F>
TransportError transport_error(F&& action) {
    try {
        action();
    } catch (const TransportError& e) {
        return e;
    }
    throw std::logic_error("expected a TransportError");
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A refusal: the expected kind and reason, the server named, and no request at the server.
void check_refused(const TlsTestServer& server, const TransportError& error, Kind kind,
                   const std::string& reason) {
    const std::string what = error.what();
    INFO(what);
    CHECK(error.kind() == kind);
    CHECK(contains(what, reason));
    CHECK(contains(what, ":" + std::to_string(server.port())));
    CHECK(server.wait_idle(2s));
    CHECK(server.request_count() == 0);
}

ServerOptions serving(const Issued& certificate) {
    ServerOptions options;
    options.certificate = certificate;
    return options;
}

std::string der_sha256_hex(const Issued& cert) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.cert.get(), &der);
    REQUIRE(len > 0);
    const auto digest = sekisho::http::sha256({der, static_cast<std::size_t>(len)});
    OPENSSL_free(der);
    return sekisho::http::hex_lower(digest);
}

// A TLS handshake by a deliberately weak, non-verifying OpenSSL client pinned to `version`;
// returns the negotiated protocol name. Proves what a test server really speaks.
std::string probe_version(unsigned short port, int version) {
    asio::io_context io;
    asio::ssl::context context(asio::ssl::context::tls_client);
    SSL_CTX* ctx = context.native_handle();
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    context.set_verify_mode(asio::ssl::verify_none);
    asio::ssl::stream<asio::ip::tcp::socket> stream(io, context);
    stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    stream.handshake(asio::ssl::stream_base::client);
    return SSL_get_version(stream.native_handle());
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

sekisho::http::Sha256Digest pattern_digest(std::size_t size) {
    sekisho::http::Sha256 hasher;
    std::vector<unsigned char> piece;
    for (std::size_t offset = 0; offset < size; offset += piece.size()) {
        piece.resize(std::min<std::size_t>(65536, size - offset));
        for (std::size_t i = 0; i < piece.size(); ++i)
            piece[i] = sekisho::test::pattern_byte(offset + i);
        hasher.update(piece);
    }
    return hasher.finish();
}

}  // namespace

// --- requests that succeed ---------------------------------------------------------------

TEST_CASE("GET and POST with JSON share one kept-alive connection", "[http][tls]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [](const ServerRequest& request) {
        ServerReply reply;
        reply.message.set(bhttp::field::content_type, "application/json");
        if (request.method == "POST") {
            reply.message.result(bhttp::status::created);
            reply.message.body() = request.body;
        } else {
            reply.message.body() = R"({"total":0})";
        }
        return reply;
    };
    TlsTestServer server(options);
    auto tls = pki.tls();
    std::string cert_sha256;
    std::vector<std::string> request_ids;
    bool open_after_close = true;
    const std::string json = R"({"user_id":"K1234567","password":"x"})";
    // Built outside the coroutine: g++ 12 miscompiles initializer lists inside co_await.
    const sekisho::http::HeaderList auth{{"Authorization", "Bearer t0ken"}};
    auto [get, post] = run([&]() -> asio::awaitable<std::pair<Response, Response>> {
        auto conn = co_await Connection::open(Endpoint::parse(server.url("localhost", "/v1/")), tls,
                                              kTimeouts);
        auto first = co_await conn->request(bhttp::verb::get, "/filings?status=arrived", "", "",
                                            kMaxBody, auth);
        request_ids.push_back(conn->last_request_id());
        auto second = co_await conn->request(bhttp::verb::post, "/auth/login", json,
                                             "application/json", kMaxBody);
        request_ids.push_back(conn->last_request_id());
        cert_sha256 = conn->server_cert_sha256();
        co_await conn->close();
        open_after_close = conn->is_open();
        co_return std::pair{std::move(first), std::move(second)};
    });

    CHECK(get.status == 200);
    CHECK(get.body == R"({"total":0})");
    CHECK(get.headers[bhttp::field::content_type] == "application/json");
    CHECK(post.status == 201);
    CHECK(post.body == json);
    CHECK(server.handshakes() == 1);
    CHECK_FALSE(open_after_close);
    CHECK(cert_sha256.size() == 64);

    const auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    for (std::size_t i = 0; i < seen.size(); ++i) {
        const auto& headers = seen[i].headers;
        CHECK(headers[bhttp::field::user_agent] == std::string("sekisho/") + sekisho::kVersion);
        CHECK(headers[bhttp::field::host] == "localhost:" + std::to_string(server.port()));
        const std::string id(headers["X-Request-Id"]);
        CHECK(std::regex_match(id, uuid_v4));
        CHECK(id == request_ids[i]);
    }
    CHECK(request_ids[0] != request_ids[1]);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].target == "/v1/filings?status=arrived");
    CHECK(seen[0].headers[bhttp::field::authorization] == "Bearer t0ken");
    CHECK(seen[0].headers.count(bhttp::field::content_length) == 0);
    CHECK(seen[1].method == "POST");
    CHECK(seen[1].target == "/v1/auth/login");
    CHECK(seen[1].headers[bhttp::field::content_type] == "application/json");
    CHECK(seen[1].headers[bhttp::field::content_length] == std::to_string(json.size()));
    CHECK(seen[1].body == json);
}

TEST_CASE("the fingerprint exposed is that of the server certificate", "[http][tls]") {
    Pki pki;
    const Issued cert = pki.server();
    TlsTestServer server(serving(cert));
    sekisho::http::ClientTls config;  // through the overload that builds the context itself
    config.ca_file = pki.ca_file;
    const auto fingerprint = run([&]() -> asio::awaitable<std::string> {
        auto conn =
            co_await Connection::open(Endpoint::parse(server.url("localhost")), config, kTimeouts);
        co_return conn->server_cert_sha256();
    });
    CHECK(fingerprint == der_sha256_hex(cert));
}

TEST_CASE("an IP literal URL is verified against the certificate's IP SANs", "[http][tls]") {
    Pki pki;
    TlsTestServer with_ip(serving(pki.server({"localhost"}, {"127.0.0.1"})));
    CHECK(fetch(with_ip.url("127.0.0.1"), pki.tls()).status == 200);

    TlsTestServer dns_only(serving(pki.server({"localhost"}, {})));
    const auto error = transport_error([&] { fetch(dns_only.url("127.0.0.1"), pki.tls()); });
    check_refused(dns_only, error, Kind::certificate, "IP address mismatch");
}

TEST_CASE("pinned addresses are connected to instead of what the name resolves to", "[http][tls]") {
    Pki pki;
    TlsTestServer server(serving(pki.server()));
    const auto with = [&](std::vector<std::string> addresses) {
        Endpoint endpoint = Endpoint::parse(server.url("localhost"));
        endpoint.addresses = std::move(addresses);
        return run([&]() -> asio::awaitable<Response> {
            auto conn = co_await Connection::open(endpoint, pki.tls(), kTimeouts);
            auto response = co_await conn->request(bhttp::verb::get, "/", "", "", kMaxBody);
            co_await conn->close();
            co_return response;
        });
    };
    // The certificate is still checked against the name; the socket goes to the address.
    CHECK(with({"127.0.0.1"}).status == 200);
    // localhost resolves to 127.0.0.1, where the server is; pinned elsewhere, nothing answers.
    const auto error = transport_error([&] { with({"127.0.0.2"}); });
    CHECK(error.kind() == Kind::connect);
    CHECK(contains(error.what(), "TCP connect failed"));
}

TEST_CASE("a response body over max_body is refused while reading", "[http][tls]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [](const ServerRequest& request) {
        ServerReply reply;
        reply.message.body() = std::string(2000, 'x');
        reply.message.chunked(request.target == "/chunked");  // no Content-Length to trust
        return reply;
    };
    TlsTestServer server(options);
    auto tls = pki.tls();
    for (const std::string target : {"/sized", "/chunked"}) {
        INFO(target);
        std::size_t at_limit_size = 0;
        const auto error = transport_error([&] {
            run([&]() -> asio::awaitable<void> {
                auto conn = co_await Connection::open(Endpoint::parse(server.url("localhost")), tls,
                                                      kTimeouts);
                // Exactly at the limit passes; one byte less fails.
                auto at_limit = co_await conn->request(bhttp::verb::get, target, "", "", 2000);
                at_limit_size = at_limit.body.size();
                (void)co_await conn->request(bhttp::verb::get, target, "", "", 1999);
            });
        });
        CHECK(at_limit_size == 2000);
        CHECK(error.kind() == Kind::body_too_large);
        CHECK(contains(error.what(), "1999 bytes"));
    }
}

TEST_CASE("a redirect is returned as a response, not followed", "[http][tls]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [](const ServerRequest&) {
        ServerReply reply;
        reply.message.result(bhttp::status::found);
        reply.message.set(bhttp::field::location, "https://elsewhere.test/login");
        return reply;
    };
    TlsTestServer server(options);
    const auto response = fetch(server.url("localhost"), pki.tls());
    CHECK(response.status == 302);
    CHECK(response.headers[bhttp::field::location] == "https://elsewhere.test/login");
    CHECK(server.request_count() == 1);
}

TEST_CASE("interim 1xx responses are skipped and oversized headers refused", "[http][tls]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [](const ServerRequest& request) {
        ServerReply reply;
        reply.raw_prefix = "HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n";
        reply.message.body() = "final";
        if (request.target == "/big")
            reply.message.set("X-Padding", std::string(sekisho::http::kMaxHeaderBytes, 'p'));
        return reply;
    };
    TlsTestServer server(options);
    auto tls = pki.tls();
    const auto response = fetch(server.url("localhost"), tls);
    CHECK(response.status == 200);
    CHECK(response.body == "final");
    const auto error = transport_error([&] {
        run([&]() -> asio::awaitable<void> {
            auto conn =
                co_await Connection::open(Endpoint::parse(server.url("localhost")), tls, kTimeouts);
            (void)co_await conn->request(bhttp::verb::get, "/big", "", "", kMaxBody);
        });
    });
    INFO(error.what());
    CHECK(error.kind() == Kind::protocol);
}

TEST_CASE("header injection and managed headers are refused before sending", "[http][tls]") {
    Pki pki;
    TlsTestServer server(serving(pki.server()));
    auto tls = pki.tls();
    const std::vector<sekisho::http::HeaderList> refused{
        {{"Authorization", "Bearer x\r\nX-Evil: 1"}},
        {{"User-Agent", "curl"}},
        {{"Host", "evil.test"}},
        {{"Bad Name", "v"}},
    };
    std::size_t refusals = 0;
    bool open_after_refusals = false;
    unsigned status = 0;
    // Catch macros must not hold co_await: g++ 12 evaluates it again in the macros'
    // unevaluated parts. Results are collected here and checked outside.
    run([&]() -> asio::awaitable<void> {
        auto conn =
            co_await Connection::open(Endpoint::parse(server.url("localhost")), tls, kTimeouts);
        const auto refuses = [&](std::string target, std::string body,
                                 sekisho::http::HeaderList headers) -> asio::awaitable<void> {
            try {
                (void)co_await conn->request(bhttp::verb::post, target, body, "", kMaxBody,
                                             headers);
            } catch (const std::invalid_argument&) {
                ++refusals;
            }
        };
        for (const sekisho::http::HeaderList& bad : refused)
            co_await refuses("/", "", bad);
        co_await refuses("/a b", "", {});
        co_await refuses("/", "{}", {});  // a body without a content type
        open_after_refusals = conn->is_open();
        status = (co_await conn->request(bhttp::verb::get, "/", "", "", kMaxBody)).status;
    });
    CHECK(refusals == refused.size() + 2);
    CHECK(open_after_refusals);
    CHECK(status == 200);
    CHECK(server.request_count() == 1);
}

// --- streaming ---------------------------------------------------------------------------

TEST_CASE("a large download streams in bounded pieces and memory", "[http][tls][download]") {
    constexpr std::size_t kSize = 32u << 20;
    const auto digest = pattern_digest(kSize);
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [&](const ServerRequest& request) {
        ServerReply reply;
        if (request.target == "/v1/filings/1/package") {
            reply.generated_body = kSize;
            reply.message.set(bhttp::field::content_type, "application/zip");
            reply.message.set("Repr-Digest", sekisho::http::format_repr_digest_sha256(digest));
        } else {
            reply.message.body() = "ok";
        }
        return reply;
    };
    TlsTestServer server(options);
    auto tls = pki.tls();

    std::size_t total = 0;
    std::size_t largest = 0;
    std::size_t pieces = 0;
    sekisho::http::Sha256 hasher;
    std::string content_length;
    sekisho::http::Sha256Digest announced{};
    std::string after_body;
    const long rss_before = peak_rss_kib();
    const auto status = run([&]() -> asio::awaitable<unsigned> {
        auto conn =
            co_await Connection::open(Endpoint::parse(server.url("localhost")), tls, kTimeouts);
        const unsigned got = co_await conn->download(
            "/v1/filings/1/package", kSize, {},
            [&](unsigned, const bhttp::fields& headers) {
                content_length = headers[bhttp::field::content_length];
                announced = sekisho::http::parse_repr_digest_sha256(headers["Repr-Digest"]);
            },
            [&](std::span<const unsigned char> piece) {
                total += piece.size();
                largest = std::max(largest, piece.size());
                ++pieces;
                hasher.update(piece);
            });
        // The connection stays usable after a complete download.
        after_body = (co_await conn->request(bhttp::verb::get, "/after", "", "", kMaxBody)).body;
        co_return got;
    });
    const long rss_growth_kib = peak_rss_kib() - rss_before;

    CHECK(status == 200);
    CHECK(after_body == "ok");
    CHECK(content_length == std::to_string(kSize));
    CHECK(announced == digest);
    CHECK(total == kSize);
    CHECK(hasher.finish() == digest);
    CHECK(largest <= Connection::kChunkBytes);
    CHECK(pieces >= kSize / Connection::kChunkBytes);
    INFO("peak RSS grew by " << rss_growth_kib << " KiB for a " << (kSize >> 20) << " MiB body");
#if !defined(__SANITIZE_ADDRESS__)  // ASan's quarantine keeps freed buffers resident
    CHECK(rss_growth_kib < 12 * 1024);
#endif
}

TEST_CASE("a download over max_body stops while reading a chunked body", "[http][tls][download]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [](const ServerRequest&) {
        ServerReply reply;
        reply.generated_body = 3u << 20;
        reply.message.chunked(true);
        return reply;
    };
    TlsTestServer server(options);
    auto tls = pki.tls();
    std::size_t delivered = 0;
    bool open_after = true;
    const auto error = transport_error([&] {
        run([&]() -> asio::awaitable<void> {
            auto conn =
                co_await Connection::open(Endpoint::parse(server.url("localhost")), tls, kTimeouts);
            try {
                (void)co_await conn->download("/", 1u << 20, {}, nullptr,
                                              [&](auto piece) { delivered += piece.size(); });
            } catch (const TransportError&) {
                open_after = conn->is_open();
                throw;
            }
        });
    });
    CHECK(error.kind() == Kind::body_too_large);
    CHECK(delivered <= (1u << 20));
    CHECK_FALSE(open_after);
}

TEST_CASE("on_head can abort a download before its body is read", "[http][tls][download]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [](const ServerRequest&) {
        ServerReply reply;
        reply.generated_body = 1u << 20;
        reply.message.set("Repr-Digest", "sha-256=:AAAA:");
        return reply;
    };
    TlsTestServer server(options);
    auto tls = pki.tls();
    std::size_t delivered = 0;
    bool open_after = true;
    CHECK_THROWS_WITH(
        run([&]() -> asio::awaitable<void> {
            auto conn =
                co_await Connection::open(Endpoint::parse(server.url("localhost")), tls, kTimeouts);
            try {
                (void)co_await conn->download(
                    "/", 2u << 20, {},
                    [](unsigned, const bhttp::fields& headers) {
                        (void)sekisho::http::parse_repr_digest_sha256(headers["Repr-Digest"]);
                    },
                    [&](auto piece) { delivered += piece.size(); });
            } catch (const std::invalid_argument&) {
                open_after = conn->is_open();
                throw;
            }
        }),
        Catch::Contains("3 bytes instead of 32"));
    CHECK(delivered == 0);
    CHECK_FALSE(open_after);
}

// --- timeouts and connection failures ------------------------------------------------------

TEST_CASE("a server that accepts TCP but never speaks TLS times out the handshake",
          "[http][tls][timeout]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.silent = true;
    TlsTestServer server(options);
    const auto start = std::chrono::steady_clock::now();
    const auto error = transport_error([&] {
        fetch(server.url("localhost"), pki.tls(), {.connect = 2000ms, .handshake = 500ms});
    });
    const auto elapsed = std::chrono::steady_clock::now() - start;
    check_refused(server, error, Kind::timeout, "TLS handshake timed out");
    CHECK(elapsed >= 450ms);
    CHECK(elapsed < 3s);
}

TEST_CASE("a server that stalls mid-body times out the read", "[http][tls][timeout]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.handler = [](const ServerRequest&) {
        ServerReply reply;
        reply.message.body() = std::string(100000, 'x');
        reply.stall_after = 1000;  // the head and the body's start, then silence
        return reply;
    };
    TlsTestServer server(options);
    auto tls = pki.tls();
    const sekisho::http::Timeouts quick{.connect = 2000ms, .handshake = 2000ms, .io = 500ms};

    const auto start = std::chrono::steady_clock::now();
    const auto request_error =
        transport_error([&] { fetch(server.url("localhost"), tls, quick, 200000); });
    CHECK(request_error.kind() == Kind::timeout);
    CHECK(contains(request_error.what(), "timed out reading the response"));
    CHECK(std::chrono::steady_clock::now() - start < 2s);

    std::size_t delivered = 0;
    const auto download_error = transport_error([&] {
        run([&]() -> asio::awaitable<void> {
            auto conn =
                co_await Connection::open(Endpoint::parse(server.url("localhost")), tls, quick);
            (void)co_await conn->download("/", 200000, {}, nullptr,
                                          [&](auto piece) { delivered += piece.size(); });
        });
    });
    CHECK(download_error.kind() == Kind::timeout);
    CHECK(contains(download_error.what(), "timed out reading the response body"));
    CHECK(delivered > 0);
    CHECK(delivered < 100000);
}

TEST_CASE("refused connections and unknown hosts are typed errors", "[http][tls]") {
    Pki pki;
    unsigned short closed_port = 0;
    {
        asio::io_context io;
        asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
        closed_port = probe.local_endpoint().port();
    }
    const auto refused = transport_error(
        [&] { fetch("https://127.0.0.1:" + std::to_string(closed_port), pki.tls()); });
    CHECK(refused.kind() == Kind::connect);
    CHECK(contains(refused.what(), "127.0.0.1:" + std::to_string(closed_port)));

    const auto unknown = transport_error([&] { fetch("https://no-such-host.invalid", pki.tls()); });
    INFO(unknown.what());
    CHECK(unknown.kind() == Kind::resolve);
    CHECK(contains(unknown.what(), "no-such-host.invalid:443"));
}

// --- certificate verification ------------------------------------------------------------

TEST_CASE("an expired server certificate is refused", "[http][tls][verify]") {
    Pki pki;
    TlsTestServer server(serving(pki.server({"localhost"}, {"127.0.0.1"}, -30, -1)));
    const auto error = transport_error([&] { fetch(server.url("localhost"), pki.tls()); });
    check_refused(server, error, Kind::certificate, "certificate has expired");
    CHECK(server.handshakes() == 0);
}

TEST_CASE("a certificate for another host name is refused", "[http][tls][verify]") {
    Pki pki;
    TlsTestServer server(serving(pki.server({"other.test"}, {})));
    const auto error = transport_error([&] { fetch(server.url("localhost"), pki.tls()); });
    check_refused(server, error, Kind::certificate, "hostname mismatch");
}

TEST_CASE("a certificate from an unknown CA is refused", "[http][tls][verify]") {
    Pki pki;
    const Issued foreign_ca = make({.common_name = "Foreign CA", .ca = true}, nullptr);
    const Issued cert = make({.common_name = "server",
                              .dns_names = {"localhost"},
                              .ip_addresses = {"127.0.0.1"},
                              .server_auth = true},
                             &foreign_ca);
    TlsTestServer server(serving(cert));
    const auto error = transport_error([&] { fetch(server.url("localhost"), pki.tls()); });
    check_refused(server, error, Kind::certificate, "unable to get local issuer certificate");
    // The refusal names the certificate, for the operator's log.
    CHECK(contains(error.what(), der_sha256_hex(cert)));
}

TEST_CASE("a self-signed server certificate is refused", "[http][tls][verify]") {
    Pki pki;
    const Issued cert = make({.common_name = "localhost",
                              .dns_names = {"localhost"},
                              .ip_addresses = {"127.0.0.1"},
                              .server_auth = true},
                             nullptr);
    TlsTestServer server(serving(cert));
    const auto error = transport_error([&] { fetch(server.url("localhost"), pki.tls()); });
    check_refused(server, error, Kind::certificate, "self-signed certificate");
}

TEST_CASE("SPKI pins: one match suffices, no match refuses before any request",
          "[http][tls][pin]") {
    Pki pki;
    const Issued cert = pki.server();
    TlsTestServer server(serving(cert));
    const Issued other = pki.server();
    const std::string pin = cert.spki_sha256_base64();

    CHECK(fetch(server.url("localhost"), pki.tls({pin})).status == 200);
    CHECK(fetch(server.url("localhost"),
                pki.tls({other.spki_sha256_base64(), pin, pki.server_ca.spki_sha256_base64()}))
              .status == 200);
    REQUIRE(server.wait_idle(2s));
    const std::size_t served = server.request_count();

    // Pinning the CA is not pinning the server: the leaf must match.
    const auto error = transport_error([&] {
        fetch(server.url("localhost"),
              pki.tls({other.spki_sha256_base64(), pki.server_ca.spki_sha256_base64()}));
    });
    INFO(error.what());
    CHECK(error.kind() == Kind::pin_mismatch);
    CHECK(contains(error.what(), pin));  // names the key it saw
    CHECK(contains(error.what(), "none of the 2 configured pins"));
    CHECK(server.wait_idle(2s));
    CHECK(server.request_count() == served);

    CHECK_THROWS_WITH(pki.tls({"not-a-pin"}), Catch::Contains("not-a-pin"));
}

// --- protocol versions ---------------------------------------------------------------------

TEST_CASE("a server speaking only TLS 1.1 is refused while TLS 1.2 and 1.3 work",
          "[http][tls][version]") {
    Pki pki;
    ServerOptions old = serving(pki.server());
    old.min_version = TLS1_1_VERSION;
    old.max_version = TLS1_1_VERSION;
    old.security_level = 0;
    TlsTestServer legacy(old);
    // The server really speaks TLS 1.1 to a client that accepts it ...
    REQUIRE(probe_version(legacy.port(), TLS1_1_VERSION) == "TLSv1.1");
    REQUIRE(legacy.wait_idle(2s));
    // ... and ours refuses it during the handshake.
    const auto error = transport_error([&] { fetch(legacy.url("localhost"), pki.tls()); });
    check_refused(legacy, error, Kind::tls_handshake, "TLS handshake failed");

    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        ServerOptions modern = serving(pki.server());
        modern.min_version = version;
        modern.max_version = version;
        TlsTestServer server(modern);
        INFO(version);
        CHECK(fetch(server.url("localhost"), pki.tls()).status == 200);
    }
}

// --- mutual TLS ----------------------------------------------------------------------------

TEST_CASE("a server that requires a client certificate gets ours", "[http][tls][mtls]") {
    Pki pki;
    ServerOptions options = serving(pki.server());
    options.client_ca = pki.client_ca;
    TlsTestServer server(options);
    CHECK(fetch(server.url("localhost"), pki.tls()).status == 200);
    CHECK(server.client_common_name() == "sekisho client");

    // A client certificate the server does not trust: in TLS 1.3 the server's refusal
    // arrives after the client's side of the handshake, with the first response.
    const Issued stranger = make({.common_name = "stranger", .client_auth = true}, &pki.server_ca);
    const auto error =
        transport_error([&] { fetch(server.url("localhost"), pki.tls({}, &stranger)); });
    INFO(error.what());
    CHECK(error.kind() == Kind::tls_handshake);
    CHECK(contains(error.what(), "unknown ca"));
    CHECK(server.wait_idle(2s));
    CHECK(server.request_count() == 1);

    // No client certificate at all.
    sekisho::http::ClientTls anonymous;
    anonymous.ca_file = pki.ca_file;
    const auto no_cert = transport_error(
        [&] { fetch(server.url("localhost"), TlsClientContext::create(anonymous)); });
    INFO(no_cert.what());
    CHECK(no_cert.kind() == Kind::tls_handshake);
    CHECK(contains(no_cert.what(), "certificate required"));
    CHECK(server.wait_idle(2s));
    CHECK(server.request_count() == 1);
}

TEST_CASE("a server that asks for no client certificate is still verified", "[http][tls][mtls]") {
    Pki pki;
    TlsTestServer good(serving(pki.server()));
    CHECK(fetch(good.url("localhost"), pki.tls()).status == 200);
    CHECK(good.client_common_name().empty());

    TlsTestServer expired(serving(pki.server({"localhost"}, {"127.0.0.1"}, -30, -1)));
    const auto error = transport_error([&] { fetch(expired.url("localhost"), pki.tls()); });
    check_refused(expired, error, Kind::certificate, "certificate has expired");
}

TEST_CASE("a bad TLS configuration is refused when the context is built", "[http][tls][config]") {
    Pki pki;
    const auto error_of = [&](const std::filesystem::path& ca_file, const std::string& cert,
                              const std::string& key) -> std::string {
        sekisho::http::ClientTls config;
        config.ca_file = ca_file;
        config.client_cert_chain_pem = cert;
        config.client_key_pem =
            sekisho::config::SecretBytes(std::vector<unsigned char>(key.begin(), key.end()));
        try {
            (void)TlsClientContext::create(config);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    };
    const std::string cert = pki.client.cert_pem();
    const std::string key = pki.client.key_pem();
    const std::string other_key = pki.server().key_pem();
    sekisho::test::write_file(pki.dir / "empty.pem", "");

    CHECK(error_of(pki.ca_file, cert, key).empty());
    CHECK(contains(error_of(pki.dir / "missing.pem", cert, key), "missing.pem"));
    CHECK(contains(error_of(pki.dir / "empty.pem", cert, key), "empty.pem"));
    CHECK(contains(error_of(pki.ca_file, cert, ""), "given together"));
    CHECK(contains(error_of(pki.ca_file, "", key), "given together"));
    CHECK(contains(error_of(pki.ca_file, "garbage", key), "client certificate"));
    const std::string mismatch = error_of(pki.ca_file, cert, other_key);
    CHECK(contains(mismatch, "does not match"));
    const std::string bad_key = error_of(pki.ca_file, cert, "-----BEGIN PRIVATE KEY-----\nsecret");
    CHECK(contains(bad_key, "client private key"));
    // Messages never quote key material.
    for (const std::string& message : {mismatch, bad_key}) {
        INFO(message);
        CHECK_FALSE(contains(message, "secret"));
        CHECK_FALSE(contains(message, "PRIVATE KEY"));
        CHECK_FALSE(contains(message, other_key.substr(40, 40)));
    }
}

#pragma once
// The calls of spec/mynaportal-api.md over one mutual-TLS connection (adapters/http).
// A 401 token-expired answer makes the client log in again once and retry the call.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>

#include "adapters/http/api_error.hpp"
#include "adapters/http/connection.hpp"
#include "adapters/mynaportal/protocol.hpp"
#include "config/secret.hpp"
#include "queue/queue.hpp"

namespace sekisho::mynaportal {

using http::ApiError;
using http::TransferError;

struct ApiLimits {
    std::size_t max_json = 1 << 20;           // any JSON answer
    std::uint64_t max_package = 10ull << 20;  // a package (inspect.max_package)
};

class ApiClient {
  public:
    ApiClient(http::Endpoint endpoint, std::shared_ptr<http::TlsClientContext> tls,
              http::Timeouts timeouts, ApiLimits limits);
    ~ApiClient();

    boost::asio::awaitable<void> connect();
    // A new connection, logged in again with the same password.
    boost::asio::awaitable<void> reconnect();
    // Logs in; the password is kept (wiped on destruction) for one re-login on token expiry.
    boost::asio::awaitable<Session> login(std::string user_id, config::SecretBytes password);
    // Uses the session of `other` (its token and, for a re-login, its credentials) on this
    // client's own connection, so several connections work under one login.
    void share_session(const ApiClient& other);
    // True after this client logged in itself (login, or a re-login after a shared token
    // expired): then it, not the client it shared with, must log that session out.
    bool owns_session() const { return owns_session_; }
    boost::asio::awaitable<ListPage> list(std::uint64_t offset, std::uint64_t limit);
    // Streams the package into `writer`, checking Content-Length and Repr-Digest against
    // the listing and the bytes against both. Throws TransferError on any mismatch.
    boost::asio::awaitable<void> download(Filing filing, queue::ItemWriter& writer);
    boost::asio::awaitable<void> mark_downloaded(std::string arrive_id);
    // The notice id, or nullopt for 409 notice-conflict.
    boost::asio::awaitable<std::optional<std::string>> notice(std::string arrive_id,
                                                              queue::NoticeRequest n);
    boost::asio::awaitable<void> change_password(const config::SecretBytes& current,
                                                 const config::SecretBytes& next);
    // Changes an EXPIRED password: POST /v1/auth/password WITHOUT Authorization, the body
    // naming the user ({"user_id", "current_password", "new_password"}), on a connected
    // client that is not logged in. This form is NOT in spec/mynaportal-api.md: there the
    // change needs a Bearer token, and login refuses an expired password (403
    // password-expired), so the spec leaves no way to change it. The project's simulator
    // accepts this form as an extension (sekisho-sim mynaportal --help); against another
    // service it works only if that service accepts it too, and otherwise fails with the
    // service's answer (typically 401 token-expired) and changes nothing.
    boost::asio::awaitable<void> change_expired_password(std::string user_id,
                                                         const config::SecretBytes& current,
                                                         const config::SecretBytes& next);
    boost::asio::awaitable<void> logout();
    boost::asio::awaitable<void> close();

    const std::string& server_cert_sha256() const;

  private:
    // An authenticated call: on 401 token-expired, logs in again once and retries.
    // Coroutine parameters are taken by value, and callers pass named values: g++ 12
    // destroys some temporaries of a co_await expression twice.
    boost::asio::awaitable<http::Response> call(boost::beast::http::verb verb, std::string target,
                                                std::string body);
    boost::asio::awaitable<http::Response> send(boost::beast::http::verb verb, std::string target,
                                                std::string body, bool authenticated);
    // Logs in with the stored user id and password.
    boost::asio::awaitable<Session> relogin();
    http::HeaderList auth_headers() const;
    http::Connection& connection();

    http::Endpoint endpoint_;
    std::shared_ptr<http::TlsClientContext> tls_;
    http::Timeouts timeouts_;
    ApiLimits limits_;
    std::unique_ptr<http::Connection> connection_;
    std::string user_id_;
    config::SecretBytes password_;
    std::string token_;
    bool owns_session_ = false;
};

}  // namespace sekisho::mynaportal

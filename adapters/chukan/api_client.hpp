#pragma once
// The calls of spec/chukan-api.md over one mutual-TLS connection (adapters/http): no login,
// the client certificate is the identity. Whether the connection may be opened at all (the
// IPsec path) is decided before, by ipsec_check.hpp.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "adapters/chukan/protocol.hpp"
#include "adapters/http/api_error.hpp"
#include "adapters/http/connection.hpp"

namespace sekisho::chukan {

using http::ApiError;
using http::TransferError;

// The route to the server is not the protected (IPsec) one: no connection was opened.
class PathRefused : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Runs before every connection is opened: returns the addresses the connection may go to
// (empty: any the host resolves to, when the check is off), or throws PathRefused to
// prevent it. The connection goes only to those addresses, so an answer of the name
// service that changes after the check cannot lead it elsewhere.
using PathGuard = std::function<boost::asio::awaitable<std::vector<std::string>>()>;

struct ApiLimits {
    std::size_t max_json = 1 << 20;        // any JSON answer
    std::uint64_t max_file = 64ull << 20;  // a result file
};

class ApiClient {
  public:
    ApiClient(http::Endpoint endpoint, std::shared_ptr<http::TlsClientContext> tls,
              http::Timeouts timeouts, ApiLimits limits, PathGuard guard);
    ~ApiClient();

    // Asks the guard, then opens the connection. Every call opens one when none is open.
    boost::asio::awaitable<void> connect();
    boost::asio::awaitable<ResultPage> list_results(std::uint64_t offset, std::uint64_t limit);
    // Streams the file into `sink`, checking Content-Length and Repr-Digest against the
    // listing and the byte count against both. Throws TransferError on any mismatch.
    boost::asio::awaitable<void> download(ResultEntry result,
                                          std::function<void(std::span<const unsigned char>)> sink);
    boost::asio::awaitable<void> ack(std::string result_id);
    // PUT /v1/requests/{client_request_id}: the service's request_id, on the first upload
    // (201) and on a repeated one with the same bytes (200). 409 and others: ApiError.
    boost::asio::awaitable<std::string> put_request(std::string client_request_id, std::string kind,
                                                    std::string file);
    boost::asio::awaitable<RequestState> request_state(std::string request_id);
    boost::asio::awaitable<void> close();

  private:
    // Coroutine parameters are taken by value, and callers pass named values: g++ 12
    // destroys some temporaries of a co_await expression twice.
    boost::asio::awaitable<http::Response> call(boost::beast::http::verb verb, std::string target,
                                                std::string body, http::HeaderList headers);
    boost::asio::awaitable<http::Response> call(boost::beast::http::verb verb, std::string target);

    http::Endpoint endpoint_;
    std::shared_ptr<http::TlsClientContext> tls_;
    http::Timeouts timeouts_;
    ApiLimits limits_;
    PathGuard guard_;
    std::unique_ptr<http::Connection> connection_;
};

}  // namespace sekisho::chukan

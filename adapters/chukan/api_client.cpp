#include "adapters/chukan/api_client.hpp"

#include "adapters/http/listed_download.hpp"

namespace sekisho::chukan {
namespace {

using boost::asio::awaitable;
namespace bhttp = boost::beast::http;
constexpr const char* kCsv = "text/csv; charset=Shift_JIS";

Problem problem_of(const http::Response& r) {
    return parse_problem(r.status, r.body, std::string(r.headers["Retry-After"]));
}

void check_id(std::string_view id, const char* what) {
    if (!valid_id(id))
        throw std::invalid_argument(std::string("not a valid ") + what);
}

}  // namespace

ApiClient::ApiClient(http::Endpoint endpoint, std::shared_ptr<http::TlsClientContext> tls,
                     http::Timeouts timeouts, ApiLimits limits, PathGuard guard)
    : endpoint_(std::move(endpoint)),
      tls_(std::move(tls)),
      timeouts_(timeouts),
      limits_(limits),
      guard_(std::move(guard)) {}

ApiClient::~ApiClient() = default;

awaitable<void> ApiClient::connect() {
    connection_.reset();
    if (!guard_)
        throw std::logic_error("the chukan client has no path guard");
    http::Endpoint endpoint = endpoint_;
    endpoint.addresses = co_await guard_();
    connection_ = co_await http::Connection::open(std::move(endpoint), tls_, timeouts_);
}

awaitable<http::Response> ApiClient::call(bhttp::verb verb, std::string target, std::string body,
                                          http::HeaderList headers) {
    // A keep-alive connection the server closed is opened again, transparently.
    if (!connection_ || !connection_->is_open())
        co_await connect();
    std::string content_type = body.empty() ? "" : kCsv;
    http::Response r = co_await connection_->request(verb, std::move(target), std::move(body),
                                                     std::move(content_type), limits_.max_json,
                                                     std::move(headers));
    co_return r;
}

awaitable<http::Response> ApiClient::call(bhttp::verb verb, std::string target) {
    std::string body;
    http::HeaderList headers;
    http::Response r = co_await call(verb, std::move(target), std::move(body), std::move(headers));
    co_return r;
}

awaitable<ResultPage> ApiClient::list_results(std::uint64_t offset, std::uint64_t limit) {
    std::string target =
        "/v1/results?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
    const http::Response r = co_await call(bhttp::verb::get, std::move(target));
    if (r.status != 200)
        throw ApiError(problem_of(r));
    co_return parse_results(r.body);
}

awaitable<void> ApiClient::download(ResultEntry result,
                                    std::function<void(std::span<const unsigned char>)> sink) {
    check_id(result.result_id, "result_id");
    if (result.size > limits_.max_file) {
        throw TransferError("listed size " + std::to_string(result.size) +
                            " exceeds the result file limit");
    }
    if (!connection_ || !connection_->is_open())
        co_await connect();
    const http::Listed listed{result.size, result.sha256};
    std::string target = "/v1/results/" + result.result_id;
    http::HeaderList headers;
    const http::ListedAnswer answer = co_await http::download_listed(
        *connection_, std::move(target), std::move(headers), listed, std::move(sink));
    if (answer.status != 200)
        throw ApiError(parse_problem(answer.status, answer.error_body, ""));
    http::check_received(answer, listed);
}

awaitable<void> ApiClient::ack(std::string result_id) {
    check_id(result_id, "result_id");
    std::string target = "/v1/results/" + result_id + "/ack";
    const http::Response r = co_await call(bhttp::verb::post, std::move(target));
    if (r.status != 204)
        throw ApiError(problem_of(r));
}

awaitable<std::string> ApiClient::put_request(std::string client_request_id, std::string kind,
                                              std::string file) {
    check_id(client_request_id, "client_request_id");
    if (!is_request_kind(kind))
        throw std::invalid_argument("not a request kind: " + kind);
    std::string target = "/v1/requests/" + client_request_id;
    http::HeaderList headers{{"X-Request-Kind", kind}};
    const http::Response r =
        co_await call(bhttp::verb::put, std::move(target), std::move(file), std::move(headers));
    if (r.status != 201 && r.status != 200)
        throw ApiError(problem_of(r));
    co_return parse_request_created(r.body);
}

awaitable<RequestState> ApiClient::request_state(std::string request_id) {
    check_id(request_id, "request_id");
    std::string target = "/v1/requests/" + request_id;
    const http::Response r = co_await call(bhttp::verb::get, std::move(target));
    if (r.status != 200)
        throw ApiError(problem_of(r));
    co_return parse_request_state(r.body);
}

awaitable<void> ApiClient::close() {
    if (connection_ && connection_->is_open())
        co_await connection_->close();
    connection_.reset();
}

}  // namespace sekisho::chukan

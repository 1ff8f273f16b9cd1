#include "adapters/mynaportal/api_client.hpp"

#include "adapters/http/listed_download.hpp"
#include "common/log.hpp"

namespace sekisho::mynaportal {
namespace {

using boost::asio::awaitable;
namespace bhttp = boost::beast::http;
constexpr const char* kJson = "application/json";

Problem problem_of(const http::Response& r) {
    return parse_problem(r.status, r.body, std::string(r.headers["Retry-After"]));
}

}  // namespace

ApiClient::ApiClient(http::Endpoint endpoint, std::shared_ptr<http::TlsClientContext> tls,
                     http::Timeouts timeouts, ApiLimits limits)
    : endpoint_(std::move(endpoint)), tls_(std::move(tls)), timeouts_(timeouts), limits_(limits) {}

ApiClient::~ApiClient() = default;

http::Connection& ApiClient::connection() {
    if (!connection_ || !connection_->is_open()) {
        throw http::TransportError(http::TransportErrorKind::io,
                                   "connection to " + endpoint_.authority() + " is closed");
    }
    return *connection_;
}

awaitable<void> ApiClient::connect() {
    connection_ = co_await http::Connection::open(endpoint_, tls_, timeouts_);
}

awaitable<void> ApiClient::reconnect() {
    connection_.reset();
    co_await connect();
    co_await relogin();
}

const std::string& ApiClient::server_cert_sha256() const {
    static const std::string kNone;
    return connection_ ? connection_->server_cert_sha256() : kNone;
}

http::HeaderList ApiClient::auth_headers() const {
    return {{"Authorization", "Bearer " + token_}};
}

awaitable<http::Response> ApiClient::send(bhttp::verb verb, std::string target, std::string body,
                                          bool authenticated) {
    // A keep-alive connection the server closed is opened again once, transparently.
    if (!connection_ || !connection_->is_open())
        co_await connect();
    std::string content_type = body.empty() ? "" : kJson;
    http::HeaderList headers;
    if (authenticated)
        headers = auth_headers();
    http::Response r = co_await connection_->request(verb, std::move(target), std::move(body),
                                                     std::move(content_type), limits_.max_json,
                                                     std::move(headers));
    co_return r;
}

awaitable<Session> ApiClient::relogin() {
    std::string target = "/v1/auth/login";
    std::string body = login_body(user_id_, password_.view());
    const http::Response r =
        co_await send(bhttp::verb::post, std::move(target), std::move(body), false);
    if (r.status != 200)
        throw ApiError(problem_of(r));
    Session session = parse_login(r.body);
    token_ = session.access_token;
    owns_session_ = true;
    co_return session;
}

awaitable<Session> ApiClient::login(std::string user_id, config::SecretBytes password) {
    user_id_ = std::move(user_id);
    password_ = std::move(password);
    Session session = co_await relogin();
    co_return session;
}

void ApiClient::share_session(const ApiClient& other) {
    user_id_ = other.user_id_;
    password_ = config::SecretBytes(std::vector<unsigned char>(
        other.password_.data(), other.password_.data() + other.password_.size()));
    token_ = other.token_;
    owns_session_ = false;
}

awaitable<http::Response> ApiClient::call(bhttp::verb verb, std::string target, std::string body) {
    std::string target_copy = target;
    std::string body_copy = body;
    http::Response r = co_await send(verb, std::move(target_copy), std::move(body_copy), true);
    if (r.status == 401 && problem_of(r).type == "token-expired") {
        log::info("Mynaportal token expired; logging in again");
        co_await relogin();
        r = co_await send(verb, std::move(target), std::move(body), true);
    }
    co_return r;
}

awaitable<ListPage> ApiClient::list(std::uint64_t offset, std::uint64_t limit) {
    std::string target = "/v1/filings?status=arrived&limit=" + std::to_string(limit) +
                         "&offset=" + std::to_string(offset);
    const http::Response r = co_await call(bhttp::verb::get, std::move(target), std::string());
    if (r.status != 200)
        throw ApiError(problem_of(r));
    co_return parse_list(r.body);
}

awaitable<void> ApiClient::download(Filing f, queue::ItemWriter& writer) {
    if (f.size > limits_.max_package) {
        throw TransferError("listed size " + std::to_string(f.size) + " exceeds the package limit");
    }
    const std::string target = "/v1/filings/" + f.arrive_id + "/package";
    const http::Listed listed{f.size, f.sha256};
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!connection_ || !connection_->is_open())
            co_await connect();
        std::string t = target;
        http::HeaderList headers = auth_headers();
        http::Sink sink = [&writer](std::span<const unsigned char> chunk) { writer.write(chunk); };
        const http::ListedAnswer answer = co_await http::download_listed(
            *connection_, std::move(t), std::move(headers), listed, std::move(sink));
        if (answer.status == 200) {
            http::check_received(answer, listed);
            co_return;
        }
        const Problem p = parse_problem(answer.status, answer.error_body, "");
        if (answer.status == 401 && p.type == "token-expired" && attempt == 0) {
            co_await relogin();
            continue;
        }
        throw ApiError(p);
    }
    throw ApiError(Problem{401, "token-expired", "token expired again after a new login", {}});
}

awaitable<void> ApiClient::mark_downloaded(std::string arrive_id) {
    std::string target = "/v1/filings/" + arrive_id + "/downloaded";
    const http::Response r = co_await call(bhttp::verb::post, std::move(target), std::string());
    if (r.status != 204)
        throw ApiError(problem_of(r));
}

awaitable<std::optional<std::string>> ApiClient::notice(std::string arrive_id,
                                                        queue::NoticeRequest n) {
    std::string target = "/v1/filings/" + arrive_id + "/notices";
    std::string body = notice_body(n.kind, n.reason_code, n.message);
    const http::Response r = co_await call(bhttp::verb::post, std::move(target), std::move(body));
    if (r.status == 201)
        co_return parse_notice_id(r.body);
    const Problem p = problem_of(r);
    if (r.status == 409 && p.type == "notice-conflict")
        co_return std::nullopt;
    throw ApiError(p);
}

awaitable<void> ApiClient::change_password(const config::SecretBytes& current,
                                           const config::SecretBytes& next) {
    std::string target = "/v1/auth/password";
    std::string body = password_body(current.view(), next.view());
    const http::Response r = co_await call(bhttp::verb::post, std::move(target), std::move(body));
    if (r.status != 204)
        throw ApiError(problem_of(r));
}

// Relies on the service accepting the unauthenticated form (see the header): the
// simulator does, the spec does not define it.
awaitable<void> ApiClient::change_expired_password(std::string user_id,
                                                   const config::SecretBytes& current,
                                                   const config::SecretBytes& next) {
    std::string target = "/v1/auth/password";
    std::string body = expired_password_body(user_id, current.view(), next.view());
    const http::Response r =
        co_await send(bhttp::verb::post, std::move(target), std::move(body), false);
    if (r.status != 204)
        throw ApiError(problem_of(r));
}

awaitable<void> ApiClient::logout() {
    std::string target = "/v1/auth/logout";
    const http::Response r = co_await call(bhttp::verb::post, std::move(target), std::string());
    if (r.status != 204)
        throw ApiError(problem_of(r));
    token_.clear();
    owns_session_ = false;
}

awaitable<void> ApiClient::close() {
    if (connection_ && connection_->is_open())
        co_await connection_->close();
    connection_.reset();
}

}  // namespace sekisho::mynaportal

#include "tests/sim/mynaportal/mynaportal_service.hpp"

#include <strings.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <variant>

namespace sekisho::sim::mynaportal {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::size_t kMaxArriveId = 32;
constexpr std::size_t kMaxMessageChars = 400;
constexpr std::size_t kMyNumberDigits = 12;
constexpr unsigned kMaxLimit = 50;
constexpr auto kPasswordValidity = std::chrono::days(365);
constexpr std::array<std::string_view, 3> kKinds{"received", "accepted", "returned"};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return false;
    }
    return true;
}

bool valid_user_agent(std::string_view ua) {
    constexpr std::string_view kPrefix = "sekisho/";
    return ua.size() > kPrefix.size() && ua.starts_with(kPrefix);
}

bool valid_arrive_id(std::string_view id) {
    return !id.empty() && id.size() <= kMaxArriveId &&
           std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      c == '-';
           });
}

bool valid_reason_code(std::string_view code) {
    return code.size() > 2 && code.starts_with("E-") &&
           std::all_of(code.begin() + 2, code.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || c == '-'; });
}

// Code points of UTF-8 text; nullopt when it is not valid UTF-8.
std::optional<std::u32string> decode_utf8(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const std::size_t len = b < 0x80           ? 1
                                : (b >> 5) == 0x6  ? 2
                                : (b >> 4) == 0xe  ? 3
                                : (b >> 3) == 0x1e ? 4
                                                   : 0;
        if (len == 0 || i + len > s.size())
            return std::nullopt;
        char32_t cp = len == 1 ? b : b & (0x7f >> len);
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xc0) != 0x80)
                return std::nullopt;
            cp = (cp << 6) | (c & 0x3f);
        }
        static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return std::nullopt;
        out += cp;
        i += len;
    }
    return out;
}

bool is_any_digit(char32_t c) {
    return (c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９');
}

bool is_digit_separator(char32_t c) {
    return c == U' ' || c == U'-' || c == U'\u3000' || c == U'－';
}

std::string bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization.size() <= kScheme.size() ||
        !iequals(authorization.substr(0, kScheme.size()), kScheme))
        return {};
    return std::string(authorization.substr(kScheme.size()));
}

bool is_json(std::string_view content_type) {
    const auto semi = content_type.find(';');
    auto type = content_type.substr(0, semi);
    while (!type.empty() && type.back() == ' ')
        type.remove_suffix(1);
    return iequals(type, "application/json");
}

// The JSON object in a request body, or the problem to answer.
std::variant<json::object, Response> json_body(const Request& request) {
    if (!is_json(request.content_type))
        return problem(415, "unsupported-media-type", "Unsupported Media Type",
                       "the body must be application/json");
    boost::system::error_code ec;
    json::value v = json::parse(request.body, ec);
    if (ec || !v.is_object())
        return problem(400, "bad-request", "Bad Request", "the body must be a JSON object");
    return std::move(v.as_object());
}

// A string member: nullopt when absent, throws std::invalid_argument when not a string.
std::optional<std::string> string_member(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_string())
        throw std::invalid_argument(std::string(key) + " must be a string");
    return std::string(v->as_string());
}

std::string required_string(const json::object& o, std::string_view key) {
    auto s = string_member(o, key);
    if (!s)
        throw std::invalid_argument(std::string(key) + " is required");
    return *s;
}

Response json_response(unsigned status, const json::value& body) {
    Response r;
    r.status = status;
    r.content_type = "application/json";
    r.body = json::serialize(body);
    return r;
}

Response no_content() {
    Response r;
    r.status = 204;
    return r;
}

Response bad_request(std::string_view detail) {
    return problem(400, "bad-request", "Bad Request", detail);
}

Response token_expired(std::string_view detail) {
    auto r = problem(401, "token-expired", "Token Expired", detail);
    r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return r;
}

Response bad_credentials() {
    return problem(401, "bad-credentials", "Bad Credentials", "user_id or password is wrong");
}

Response not_found(std::string_view detail) {
    return problem(404, "not-found", "Not Found", detail);
}

Response method_not_allowed(std::string_view allow) {
    auto r = problem(405, "method-not-allowed", "Method Not Allowed",
                     "this resource answers " + std::string(allow) + " only");
    r.headers.emplace_back("Allow", allow);
    return r;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

// Query parameters; throws std::invalid_argument on a repeated one.
std::map<std::string, std::string> parse_query(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty())
            continue;
        const auto eq = part.find('=');
        auto key = percent_decode(part.substr(0, eq));
        auto value =
            eq == std::string_view::npos ? std::string() : percent_decode(part.substr(eq + 1));
        if (!out.emplace(std::move(key), std::move(value)).second)
            throw std::invalid_argument("query parameter " + std::string(part.substr(0, eq)) +
                                        " is repeated");
    }
    return out;
}

// A non-negative decimal parameter, `fallback` when absent; throws when malformed.
std::uint64_t number_param(const std::map<std::string, std::string>& q, const std::string& key,
                           std::uint64_t fallback) {
    const auto it = q.find(key);
    if (it == q.end())
        return fallback;
    std::uint64_t v = 0;
    const auto& s = it->second;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
        throw std::invalid_argument(key + " must be a non-negative integer");
    return v;
}

// What is wrong with a notice body, or nullopt when it may be taken.
std::optional<Response> notice_problem(const json::object& o, const std::string& kind,
                                       const std::string& reason_code, const std::string& message) {
    if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end())
        return bad_request("kind must be received, accepted or returned");
    if (kind == "returned" && reason_code.empty())
        return bad_request("reason_code is required for a returned notice");
    if (o.contains("reason_code") && !valid_reason_code(reason_code))
        return bad_request("reason_code must look like E-[A-Z-]+");
    const auto chars = decode_utf8(message);
    if (!chars || chars->size() > kMaxMessageChars)
        return bad_request("message must be UTF-8 text of at most 400 characters");
    if (contains_twelve_digit_run(message))
        return problem(400, "personal-number", "Personal Number In Message",
                       "message holds a run of 12 digits, the shape of a 個人番号");
    return std::nullopt;
}

}  // namespace

std::string Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name))
            return v;
    }
    return {};
}

Response problem(unsigned status, std::string_view type, std::string_view title,
                 std::string_view detail) {
    Response r;
    r.status = status;
    r.content_type = "application/problem+json";
    r.body = json::serialize(json::object{{"type", std::string(kProblemBase) + std::string(type)},
                                          {"title", title},
                                          {"status", status},
                                          {"detail", detail}});
    return r;
}

bool contains_twelve_digit_run(std::string_view message) {
    const auto text = decode_utf8(message);
    if (!text)
        return false;
    const std::u32string& s = *text;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!is_any_digit(s[i])) {
            ++i;
            continue;
        }
        std::size_t digits = 0;
        while (i < s.size()) {
            if (is_any_digit(s[i])) {
                ++digits;
                ++i;
            } else if (is_digit_separator(s[i]) && i + 1 < s.size() && is_any_digit(s[i + 1])) {
                ++i;
            } else {
                break;
            }
        }
        if (digits == kMyNumberDigits)
            return true;
    }
    return false;
}

Service::Service(Settings settings)
    : settings_(std::move(settings)), store_(settings_.filings_dir), faults_(settings_.faults) {
    password_expires_at_ = settings_.password_expires_at.value_or(now() + kPasswordValidity);
    store_.rescan();
}

TimePoint Service::now() const {
    return settings_.clock ? settings_.clock() : std::chrono::system_clock::now();
}

Response Service::handle(const Request& request) {
    std::lock_guard lock(mutex_);
    Response r;
    if (!valid_user_agent(request.user_agent)) {
        r = bad_request("User-Agent: sekisho/<version> is required");
    } else if (!is_uuid(request.request_id)) {
        r = bad_request("X-Request-Id: <uuid> is required");
    } else {
        faults_.begin_request();
        r = dispatch(request);
        faults_.end_request();
    }
    if (!request.request_id.empty() && r.delivery != Delivery::reset)
        r.headers.emplace_back("X-Request-Id", request.request_id);
    return r;
}

Response Service::dispatch(const Request& request) {
    if (const auto fault = faults_.request_fault())
        return fault_response(*fault);
    const std::string_view target = request.target;
    const auto qmark = target.find('?');
    const auto path = target.substr(0, qmark);
    const auto query =
        qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
    try {
        return route(request, path, query);
    } catch (const std::invalid_argument& e) {
        return bad_request(e.what());
    }
}

Response Service::route(const Request& request, std::string_view path, std::string_view query) {
    constexpr std::string_view kFilings = "/v1/filings/";
    const bool post = request.method == "POST";
    if (path == "/v1/auth/login")
        return post ? login(request) : method_not_allowed("POST");
    if (path == "/v1/auth/password")
        return post ? change_password(request) : method_not_allowed("POST");
    if (path == "/v1/auth/logout")
        return post ? logout(request) : method_not_allowed("POST");
    if (path == "/v1/filings")
        return request.method == "GET" ? list(request, query) : method_not_allowed("GET");
    if (path.starts_with(kFilings))
        return filing_route(request, path.substr(kFilings.size()));
    return not_found("no such resource");
}

// /v1/filings/{arrive_id}/{package|downloaded|notices}
Response Service::filing_route(const Request& request, std::string_view rest) {
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos)
        return not_found("no such resource");
    const auto id = rest.substr(0, slash);
    const auto action = rest.substr(slash + 1);
    const std::string_view method = action == "package"                             ? "GET"
                                    : action == "downloaded" || action == "notices" ? "POST"
                                                                                    : "";
    if (method.empty())
        return not_found("no such resource");
    if (request.method != method)
        return method_not_allowed(method);
    if (auto refused = authenticate(request))
        return *refused;
    if (!valid_arrive_id(id))
        return bad_request("arrive_id must be 1..32 characters of [0-9A-Za-z-]");
    const Filing* filing = lookup(id);
    Response r = filing == nullptr        ? not_found("no filing with this arrive_id")
                 : action == "package"    ? package(*filing)
                 : action == "downloaded" ? downloaded(*filing)
                                          : notice(request, *filing);
    r.arrive_id = std::string(id);
    return r;
}

bool Service::token_valid(const Request& request) const {
    const auto it = tokens_.find(bearer_token(request.authorization));
    return it != tokens_.end() && now() < it->second;
}

// The 401 to answer, or nullopt when the request carries a valid token. The
// expire-tokens fault answers 401 to a valid token and forgets it.
std::optional<Response> Service::authenticate(const Request& request) {
    const auto token = bearer_token(request.authorization);
    if (!token_valid(request)) {
        tokens_.erase(token);
        return token_expired(token.empty() ? "a Bearer token is required"
                                           : "the access token is unknown or has expired");
    }
    if (faults_.fires(Fault::expire_tokens)) {
        tokens_.erase(token);
        auto r = token_expired("the access token has expired");
        r.fault = fault_name(Fault::expire_tokens);
        return r;
    }
    return std::nullopt;
}

// Filings dropped into the directory after the last listing are found too.
const Filing* Service::lookup(std::string_view arrive_id) {
    if (const auto* f = store_.find(arrive_id))
        return f;
    store_.rescan();
    return store_.find(arrive_id);
}

Response Service::login(const Request& request) {
    auto body = json_body(request);
    if (auto* refused = std::get_if<Response>(&body))
        return *refused;
    const auto& o = std::get<json::object>(body);
    const auto user_id = required_string(o, "user_id");
    const auto password = required_string(o, "password");
    if (user_id != settings_.user_id || password != settings_.password)
        return bad_credentials();
    if (now() >= password_expires_at_)
        return problem(403, "password-expired", "Password Expired",
                       "the password has expired; change it with POST /v1/auth/password");
    const auto token = random_token(32);
    tokens_[token] = now() + settings_.token_lifetime;
    auto r =
        json_response(200, json::object{
                               {"access_token", token},
                               {"token_type", "Bearer"},
                               {"expires_in", settings_.token_lifetime.count()},
                               {"password_expires_at", format_rfc3339_jst(password_expires_at_)},
                           });
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

// With a valid Bearer token as the spec says. A token cannot be had once the password
// has expired (login answers 403), so then, and only then, the simulator also takes the
// change without a token when the body names the user: {"user_id", "current_password",
// "new_password"}. A token issued before the expiry stays usable until its own end.
Response Service::change_password(const Request& request) {
    const bool expired = now() >= password_expires_at_;
    const bool with_token = !request.authorization.empty() || !expired;
    if (with_token) {
        if (auto refused = authenticate(request))
            return *refused;
    }
    auto body = json_body(request);
    if (auto* refused = std::get_if<Response>(&body))
        return *refused;
    const auto& o = std::get<json::object>(body);
    const auto user_id = string_member(o, "user_id");
    if (!with_token && !user_id)
        return token_expired("a Bearer token (or, with an expired password, user_id) is required");
    const auto current = required_string(o, "current_password");
    const auto next = required_string(o, "new_password");
    if ((user_id && *user_id != settings_.user_id) || current != settings_.password)
        return bad_credentials();
    if (next.empty() || next == current)
        return bad_request("new_password must be non-empty and differ from current_password");
    settings_.password = next;
    password_expires_at_ = now() + kPasswordValidity;
    return no_content();
}

Response Service::logout(const Request& request) {
    if (auto refused = authenticate(request))
        return *refused;
    tokens_.erase(bearer_token(request.authorization));
    return no_content();
}

Response Service::list(const Request& request, std::string_view query) {
    if (auto refused = authenticate(request))
        return *refused;
    const auto q = parse_query(query);
    const auto status = q.find("status");
    if (status == q.end() || status->second != "arrived")
        return bad_request("status=arrived is required");
    const auto limit = number_param(q, "limit", kMaxLimit);
    const auto offset = number_param(q, "offset", 0);
    if (limit < 1 || limit > kMaxLimit)
        return bad_request("limit must be 1..50");
    store_.rescan();
    std::vector<const Filing*> arrived;
    for (const auto& f : store_.filings()) {
        if (!downloaded_.contains(f.arrive_id))
            arrived.push_back(&f);
    }
    json::array page;
    for (auto i = offset; i < arrived.size() && i < offset + limit; ++i)
        page.push_back(FilingStore::listing(*arrived[i]));
    return json_response(200, json::object{{"total", arrived.size()},
                                           {"limit", limit},
                                           {"offset", offset},
                                           {"filings", std::move(page)}});
}

Response Service::package(const Filing& filing) {
    auto bytes = FilingStore::read_package(filing);
    if (!bytes)
        return not_found("the package of this filing is gone");
    // Both see the download, so each one's grace is consumed; at most one fires.
    const bool truncate = faults_.fires(Fault::truncate);
    const bool wrong_digest = faults_.fires(Fault::wrong_digest);
    const auto digest = wrong_digest ? sha256(*bytes + "wrong") : sha256(*bytes);
    Response r;
    r.content_type = "application/zip";
    r.body = std::move(*bytes);
    r.headers.emplace_back("Repr-Digest", "sha-256=:" + base64(digest) + ":");
    if (truncate) {
        r.delivery = Delivery::truncate;
        r.fault = fault_name(Fault::truncate);
    } else if (wrong_digest) {
        r.fault = fault_name(Fault::wrong_digest);
    }
    return r;
}

Response Service::downloaded(const Filing& filing) {
    downloaded_.insert(filing.arrive_id);
    return no_content();
}

Response Service::notice(const Request& request, const Filing& filing) {
    auto body = json_body(request);
    if (auto* refused = std::get_if<Response>(&body))
        return *refused;
    const auto& o = std::get<json::object>(body);
    Notice n;
    n.kind = required_string(o, "kind");
    n.reason_code = string_member(o, "reason_code").value_or("");
    n.message = string_member(o, "message").value_or("");
    if (auto refused = notice_problem(o, n.kind, n.reason_code, n.message))
        return *refused;
    auto& sent = notices_[filing.arrive_id];
    const auto same = std::find_if(sent.begin(), sent.end(), [&](const Notice& s) {
        return s.kind == n.kind && s.reason_code == n.reason_code && s.message == n.message;
    });
    if (same != sent.end()) {
        n.id = same->id;
    } else if (std::any_of(sent.begin(), sent.end(),  // once final, only repeats pass
                           [](const Notice& s) { return s.kind != "received"; })) {
        return problem(409, "notice-conflict", "Notice Conflict",
                       "a final notice was already sent for this filing");
    } else {
        n.id = "ntc-" + random_token(12);
        sent.push_back(n);
    }
    auto r = json_response(201, json::object{{"notice_id", n.id}});
    r.notice = NoticeRecord{n.kind, n.reason_code, n.id};
    return r;
}

Response Service::fault_response(Fault fault) {
    Response r;
    const auto retry_after = std::to_string(settings_.retry_after.count());
    switch (fault) {
        case Fault::reset:
            r.status = 0;
            r.delivery = Delivery::reset;
            break;
        case Fault::error500:
            r = problem(500, "internal-error", "Internal Server Error", "injected fault");
            break;
        case Fault::unavailable:
            r = problem(503, "service-unavailable", "Service Unavailable", "injected fault");
            r.headers.emplace_back("Retry-After", retry_after);
            break;
        case Fault::throttle:
            r = problem(429, "too-many-requests", "Too Many Requests", "injected fault");
            r.headers.emplace_back("Retry-After", retry_after);
            break;
        default:
            throw std::logic_error("not a request-level fault");
    }
    r.fault = fault_name(fault);
    return r;
}

}  // namespace sekisho::sim::mynaportal

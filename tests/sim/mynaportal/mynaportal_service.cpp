#include "tests/sim/mynaportal/mynaportal_service.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
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

// The JSON object in a request body, or the problem to answer.
std::variant<json::object, Response> json_body(const Request& request) {
    if (!media_type_is(request.content_type, "application/json"))
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

Response token_expired(std::string_view detail) {
    auto r = problem(401, "token-expired", "Token Expired", detail);
    r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return r;
}

Response bad_credentials() {
    return problem(401, "bad-credentials", "Bad Credentials", "user_id or password is wrong");
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
    : HttpService(settings.faults, settings.retry_after),
      settings_(std::move(settings)),
      store_(settings_.filings_dir) {
    password_expires_at_ = settings_.password_expires_at.value_or(now() + kPasswordValidity);
    store_.rescan();
}

TimePoint Service::now() const {
    return settings_.clock ? settings_.clock() : std::chrono::system_clock::now();
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
    if (!valid_id(id, kMaxArriveId))
        return bad_request("arrive_id must be 1..32 characters of [0-9A-Za-z-]");
    const Filing* filing = lookup(id);
    Response r = filing == nullptr        ? not_found("no filing with this arrive_id")
                 : action == "package"    ? package(*filing)
                 : action == "downloaded" ? downloaded(*filing)
                                          : notice(request, *filing);
    json::object record{{"arrive_id", id}};
    if (const auto* n = r.record.if_contains("notice"))
        record["notice"] = *n;
    r.record = std::move(record);
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
    if (faults().fires(Fault::expire_tokens)) {
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
    const Paging paging(q, kMaxLimit);
    store_.rescan();
    std::vector<const Filing*> arrived;
    for (const auto& f : store_.filings()) {
        if (!downloaded_.contains(f.arrive_id))
            arrived.push_back(&f);
    }
    auto page = paging.page(arrived, [](const Filing* f) { return FilingStore::listing(*f); });
    return json_response(200, json::object{{"total", arrived.size()},
                                           {"limit", paging.limit},
                                           {"offset", paging.offset},
                                           {"filings", std::move(page)}});
}

Response Service::package(const Filing& filing) {
    auto bytes = FilingStore::read_package(filing);
    if (!bytes)
        return not_found("the package of this filing is gone");
    return download(std::move(*bytes), "application/zip");
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
    json::object notice{{"kind", n.kind}, {"notice_id", n.id}};
    if (!n.reason_code.empty())
        notice["reason_code"] = n.reason_code;
    r.record["notice"] = std::move(notice);
    return r;
}

}  // namespace sekisho::sim::mynaportal

#include "tests/sim/common/http_service.hpp"

#include <strings.h>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "tests/sim/common/codec.hpp"

namespace sekisho::sim {
namespace {

namespace json = boost::json;

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

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string find_header(const Headers& headers, std::string_view name) {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name))
            return v;
    }
    return {};
}

}  // namespace

std::string Request::header(std::string_view name) const {
    return find_header(headers, name);
}

std::string Response::header(std::string_view name) const {
    return find_header(headers, name);
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

Response bad_request(std::string_view detail) {
    return problem(400, "bad-request", "Bad Request", detail);
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

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool media_type_is(std::string_view content_type, std::string_view type) {
    const auto semi = content_type.find(';');
    auto given = content_type.substr(0, semi);
    while (!given.empty() && given.back() == ' ')
        given.remove_suffix(1);
    return iequals(given, type);
}

bool valid_id(std::string_view id, std::size_t max) {
    return !id.empty() && id.size() <= max && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
               c == '-';
    });
}

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

std::uint64_t number_param(const std::map<std::string, std::string>& query, const std::string& key,
                           std::uint64_t fallback) {
    const auto it = query.find(key);
    if (it == query.end())
        return fallback;
    std::uint64_t v = 0;
    const auto& s = it->second;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
        throw std::invalid_argument(key + " must be a non-negative integer");
    return v;
}

Paging::Paging(const std::map<std::string, std::string>& query, std::uint64_t max)
    : limit(number_param(query, "limit", max)), offset(number_param(query, "offset", 0)) {
    if (limit < 1 || limit > max)
        throw std::invalid_argument("limit must be 1.." + std::to_string(max));
}

HttpService::HttpService(FaultSettings faults, std::chrono::seconds retry_after)
    : faults_(faults), retry_after_(retry_after) {}

Response HttpService::handle(const Request& request) {
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

Response HttpService::dispatch(const Request& request) {
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

Response HttpService::download(std::string bytes, std::string content_type) {
    // Both see the download, so each one's grace is consumed; at most one fires.
    const bool truncate = faults_.fires(Fault::truncate);
    const bool wrong_digest = faults_.fires(Fault::wrong_digest);
    const auto digest = wrong_digest ? sha256(bytes + "wrong") : sha256(bytes);
    Response r;
    r.content_type = std::move(content_type);
    r.body = std::move(bytes);
    r.headers.emplace_back("Repr-Digest", "sha-256=:" + base64(digest) + ":");
    if (truncate) {
        r.delivery = Delivery::truncate;
        r.fault = fault_name(Fault::truncate);
    } else if (wrong_digest) {
        r.fault = fault_name(Fault::wrong_digest);
    }
    return r;
}

Response HttpService::fault_response(Fault fault) const {
    Response r;
    const auto retry_after = std::to_string(retry_after_.count());
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

}  // namespace sekisho::sim

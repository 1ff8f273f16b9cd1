#include "adapters/http/json_body.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>

namespace sekisho::http {

namespace json = boost::json;

json::value parse_json_body(std::string_view body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec)
        throw ProtocolError("body is not JSON: " + ec.message());
    return v;
}

const json::object& as_object(const json::value& v, const char* what) {
    if (!v.is_object())
        throw ProtocolError(std::string(what) + " is not a JSON object");
    return v.get_object();
}

const json::value& field(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr)
        throw ProtocolError(std::string("missing field \"") + key + "\"");
    return *v;
}

std::string text_field(const json::object& o, const char* key, std::size_t max) {
    const auto& v = field(o, key);
    if (!v.is_string())
        throw ProtocolError(std::string("field \"") + key + "\" is not a string");
    const auto& s = v.get_string();
    if (s.size() > max)
        throw ProtocolError(std::string("field \"") + key + "\" too long");
    return std::string(s);
}

std::uint64_t count_field(const json::object& o, const char* key) {
    const auto& v = field(o, key);
    if (v.is_uint64())
        return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0)
        return static_cast<std::uint64_t>(v.get_int64());
    throw ProtocolError(std::string("field \"") + key + "\" is not a non-negative integer");
}

Sha256Digest hex_sha256(const std::string& hex) {
    if (hex.size() != 64)
        throw ProtocolError("sha256 is not 64 hex digits");
    Sha256Digest d{};
    for (std::size_t i = 0; i < d.size(); ++i) {
        const auto r = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, d[i], 16);
        if (r.ec != std::errc() || r.ptr != hex.data() + 2 * i + 2)
            throw ProtocolError("sha256 is not 64 hex digits");
    }
    return d;
}

Problem parse_problem(unsigned status, std::string_view body, std::string_view retry_after,
                      std::string_view problem_base) {
    Problem p;
    p.status = status;
    unsigned seconds = 0;
    const auto r =
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (!retry_after.empty() && r.ec == std::errc() &&
        r.ptr == retry_after.data() + retry_after.size()) {
        p.retry_after = std::chrono::seconds(std::min(seconds, 24u * 3600u));
    }
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object())
        return p;
    const auto& o = v.get_object();
    if (const auto* t = o.if_contains("type"); t != nullptr && t->is_string()) {
        std::string type(t->get_string());
        if (type.starts_with(problem_base))
            type = type.substr(problem_base.size());
        p.type = type.substr(0, 128);
    }
    if (const auto* t = o.if_contains("title"); t != nullptr && t->is_string())
        p.title = std::string(t->get_string()).substr(0, 200);
    return p;
}

}  // namespace sekisho::http

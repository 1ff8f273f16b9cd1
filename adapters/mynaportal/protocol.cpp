#include "adapters/mynaportal/protocol.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "common/time_format.hpp"

namespace sekisho::mynaportal {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxPageFilings = 50;

using http::as_object;
using http::field;
using http::parse_json_body;

std::string text(const json::object& o, const char* key, std::size_t max = 256) {
    return http::text_field(o, key, max);
}

std::uint64_t count(const json::object& o, const char* key) {
    return http::count_field(o, key);
}

Filing parse_filing(const json::value& v) {
    const auto& o = as_object(v, "filing");
    Filing f;
    f.arrive_id = text(o, "arrive_id", 32);
    if (!valid_arrive_id(f.arrive_id))
        throw ProtocolError("arrive_id is not [0-9A-Za-z-]{1,32}");
    f.procedure_id = text(o, "procedure_id", 16);
    const auto& forms = field(o, "form_codes");
    if (!forms.is_array() || forms.get_array().empty() || forms.get_array().size() > 16) {
        throw ProtocolError("form_codes is not a list of 1..16 codes");
    }
    for (const auto& c : forms.get_array()) {
        if (!c.is_string() || c.get_string().size() > 16)
            throw ProtocolError("bad form code");
        f.form_codes.emplace_back(c.get_string());
    }
    const auto& office = as_object(field(o, "office"), "office");
    f.office = {text(office, "prefecture", 8), text(office, "district", 8),
                text(office, "symbol", 32), text(office, "number", 16)};
    f.submitted_at = text(o, "submitted_at", 40);
    f.auth_method = text(o, "auth_method", 16);
    if (f.auth_method != "certificate" && f.auth_method != "gbizid") {
        throw ProtocolError("auth_method is neither certificate nor gbizid");
    }
    f.size = count(o, "size");
    f.sha256 = http::hex_sha256(text(o, "sha256", 64));
    return f;
}

}  // namespace

bool valid_arrive_id(std::string_view id) {
    if (id.empty() || id.size() > 32)
        return false;
    for (char c : id) {
        const bool ok =
            (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

ListPage parse_list(std::string_view body) {
    const json::value v = parse_json_body(body);
    const auto& o = as_object(v, "list");
    ListPage page{count(o, "total"), count(o, "limit"), count(o, "offset"), {}};
    const auto& filings = field(o, "filings");
    if (!filings.is_array())
        throw ProtocolError("filings is not a list");
    if (filings.get_array().size() > kMaxPageFilings || filings.get_array().size() > page.limit) {
        throw ProtocolError("more filings than the page limit");
    }
    for (const auto& f : filings.get_array())
        page.filings.push_back(parse_filing(f));
    return page;
}

Session parse_login(std::string_view body) {
    const json::value v = parse_json_body(body);
    const auto& o = as_object(v, "login");
    Session s;
    s.access_token = text(o, "access_token", 4096);
    if (s.access_token.empty())
        throw ProtocolError("empty access_token");
    if (text(o, "token_type", 32) != "Bearer")
        throw ProtocolError("token_type is not Bearer");
    s.expires_in = std::chrono::seconds(count(o, "expires_in"));
    if (o.contains("password_expires_at")) {
        s.password_expires_at_ms = parse_rfc3339(text(o, "password_expires_at", 40));
        if (!s.password_expires_at_ms)
            throw ProtocolError("password_expires_at is not RFC 3339");
    }
    return s;
}

std::string parse_notice_id(std::string_view body) {
    const json::value v = parse_json_body(body);
    return text(as_object(v, "notice"), "notice_id", 128);
}

Problem parse_problem(unsigned status, std::string_view body, std::string_view retry_after) {
    return http::parse_problem(status, body, retry_after, kProblemBase);
}

std::string login_body(std::string_view user_id, std::string_view password) {
    return json::serialize(json::object{{"user_id", user_id}, {"password", password}});
}

std::string password_body(std::string_view current, std::string_view next) {
    return json::serialize(json::object{{"current_password", current}, {"new_password", next}});
}

std::string expired_password_body(std::string_view user_id, std::string_view current,
                                  std::string_view next) {
    return json::serialize(
        json::object{{"user_id", user_id}, {"current_password", current}, {"new_password", next}});
}

std::string notice_body(std::string_view kind, std::string_view reason_code,
                        std::string_view message) {
    json::object o{{"kind", kind}};
    if (!reason_code.empty())
        o["reason_code"] = reason_code;
    if (!message.empty())
        o["message"] = message;
    return json::serialize(o);
}

std::string filing_metadata(const Filing& f) {
    json::array forms;
    for (const auto& c : f.form_codes)
        forms.emplace_back(c);
    return json::serialize(json::object{{"arrive_id", f.arrive_id},
                                        {"procedure_id", f.procedure_id},
                                        {"form_codes", forms},
                                        {"office", json::object{{"prefecture", f.office.prefecture},
                                                                {"district", f.office.district},
                                                                {"symbol", f.office.symbol},
                                                                {"number", f.office.number}}},
                                        {"submitted_at", f.submitted_at},
                                        {"auth_method", f.auth_method}});
}

}  // namespace sekisho::mynaportal

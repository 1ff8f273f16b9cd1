#include "adapters/chukan/protocol.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "common/time_format.hpp"

namespace sekisho::chukan {
namespace {

namespace json = boost::json;
using http::as_object;
using http::count_field;
using http::field;
using http::text_field;

constexpr std::size_t kMaxIdBytes = 64;

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& kinds, std::string_view kind) {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string id_field(const json::object& o, const char* key) {
    std::string id = text_field(o, key, kMaxIdBytes);
    if (!valid_id(id))
        throw ProtocolError(std::string(key) + " is not [0-9A-Za-z-]{1,64}");
    return id;
}

ResultEntry parse_entry(const json::value& v) {
    const auto& o = as_object(v, "result");
    ResultEntry r;
    r.result_id = id_field(o, "result_id");
    r.kind = text_field(o, "kind", 32);
    if (!is_result_kind(r.kind))
        throw ProtocolError("kind is not a result kind of the spec");
    r.created_at = text_field(o, "created_at", 40);
    if (!parse_rfc3339(r.created_at))
        throw ProtocolError("created_at is not RFC 3339");
    r.size = count_field(o, "size");
    r.sha256 = http::hex_sha256(text_field(o, "sha256", 64));
    r.records = count_field(o, "records");
    return r;
}

}  // namespace

bool is_result_kind(std::string_view kind) {
    return one_of(kResultKinds, kind);
}

bool is_request_kind(std::string_view kind) {
    return one_of(kRequestKinds, kind);
}

std::string_view name(RequestStatus s) {
    switch (s) {
        case RequestStatus::accepted:
            return "accepted";
        case RequestStatus::processing:
            return "processing";
        case RequestStatus::done:
            return "done";
        case RequestStatus::error:
            return "error";
    }
    return "unknown";
}

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxIdBytes)
        return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
               c == '-';
    });
}

ResultPage parse_results(std::string_view body) {
    const json::value v = http::parse_json_body(body);
    const auto& o = as_object(v, "results list");
    ResultPage page{count_field(o, "total"), {}};
    const auto& results = field(o, "results");
    if (!results.is_array())
        throw ProtocolError("results is not a list");
    if (results.get_array().size() > kMaxPageResults)
        throw ProtocolError("more results than the page limit");
    for (const auto& r : results.get_array())
        page.results.push_back(parse_entry(r));
    return page;
}

std::string parse_request_created(std::string_view body) {
    const json::value v = http::parse_json_body(body);
    return id_field(as_object(v, "request"), "request_id");
}

RequestState parse_request_state(std::string_view body) {
    const json::value v = http::parse_json_body(body);
    const auto& o = as_object(v, "request status");
    const std::string status = text_field(o, "status", 16);
    RequestState s;
    if (status == "accepted") {
        s.status = RequestStatus::accepted;
    } else if (status == "processing") {
        s.status = RequestStatus::processing;
    } else if (status == "done") {
        s.status = RequestStatus::done;
    } else if (status == "error") {
        s.status = RequestStatus::error;
    } else {
        throw ProtocolError("status is not accepted, processing, done or error");
    }
    if (const auto* r = o.if_contains("result_id"); r != nullptr && !r->is_null())
        s.result_id = id_field(o, "result_id");
    if (s.status == RequestStatus::done && !s.result_id)
        throw ProtocolError("a done request names no result_id");
    return s;
}

Problem parse_problem(unsigned status, std::string_view body, std::string_view retry_after) {
    return http::parse_problem(status, body, retry_after, kProblemBase);
}

std::string result_metadata(const ResultEntry& r) {
    return json::serialize(json::object{{"result_id", r.result_id},
                                        {"kind", r.kind},
                                        {"created_at", r.created_at},
                                        {"records", r.records}});
}

}  // namespace sekisho::chukan

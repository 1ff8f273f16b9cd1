#include "daemon/inspect/verdict.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace sekisho::inspect {
namespace {

namespace json = boost::json;

json::object reason_object(const Reason& r) {
    return json::object{{"code", r.code}, {"where", r.where}, {"detail", r.detail}};
}

std::string string_field(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string())
        throw std::runtime_error("verdict: reason without a string \"" + std::string(key) + "\"");
    return std::string(v->get_string());
}

}  // namespace

void Verdict::add(std::string_view code, std::string where, std::string detail) {
    Reason r{std::string(code), std::move(where), std::move(detail)};
    if (std::find(reasons_.begin(), reasons_.end(), r) != reasons_.end())
        return;
    const auto same_code = std::count_if(reasons_.begin(), reasons_.end(),
                                         [&](const Reason& x) { return x.code == code; });
    if (static_cast<std::size_t>(same_code) >= kMaxPerCode)
        return;
    reasons_.push_back(std::move(r));
}

void Verdict::merge(const Verdict& other) {
    for (const auto& r : other.reasons_)
        add(r.code, r.where, r.detail);
}

bool Verdict::has(std::string_view code) const {
    return std::any_of(reasons_.begin(), reasons_.end(),
                       [&](const Reason& r) { return r.code == code; });
}

std::set<std::string> Verdict::codes() const {
    std::set<std::string> out;
    for (const auto& r : reasons_)
        out.insert(r.code);
    return out;
}

std::string to_json(const Verdict& verdict) {
    json::array reasons;
    for (const auto& r : verdict.reasons())
        reasons.push_back(reason_object(r));
    return json::serialize(json::object{{"verdict", verdict.accepted() ? "accept" : "reject"},
                                        {"reasons", std::move(reasons)}});
}

std::string reasons_json(const Verdict& verdict) {
    json::array reasons;
    for (const auto& r : verdict.reasons())
        reasons.push_back(json::object{{"code", r.code}, {"where", r.where}});
    return json::serialize(reasons);
}

Verdict verdict_from_json(std::string_view text) {
    json::error_code ec;
    const json::value v = json::parse(text, ec);
    if (ec || !v.is_object())
        throw std::runtime_error("verdict: not a JSON object");
    const json::object& o = v.get_object();
    const json::value* reasons = o.if_contains("reasons");
    if (reasons == nullptr || !reasons->is_array())
        throw std::runtime_error("verdict: no \"reasons\" array");
    Verdict out;
    for (const auto& r : reasons->get_array()) {
        if (!r.is_object())
            throw std::runtime_error("verdict: a reason is not an object");
        const auto& ro = r.get_object();
        out.add(string_field(ro, "code"), string_field(ro, "where"), string_field(ro, "detail"));
    }
    const std::string said = string_field(o, "verdict");
    if (said != (out.accepted() ? "accept" : "reject"))
        throw std::runtime_error("verdict: \"verdict\" disagrees with its reasons");
    return out;
}

}  // namespace sekisho::inspect

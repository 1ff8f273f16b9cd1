#include "daemon/control/request_fields.hpp"

namespace sekisho::control {

std::optional<std::string> optional_text(const boost::json::object& o, const char* key,
                                         std::size_t max_bytes) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null())
        return std::nullopt;
    if (!v->is_string())
        throw BadRequest(std::string("\"") + key + "\" must be text");
    const auto& s = v->get_string();
    if (s.size() > max_bytes) {
        throw BadRequest(std::string("\"") + key + "\" is longer than " +
                         std::to_string(max_bytes) + " bytes");
    }
    return std::string(s);
}

std::string required_text(const boost::json::object& o, const char* key, std::size_t max_bytes) {
    auto s = optional_text(o, key, max_bytes);
    if (!s || s->empty())
        throw BadRequest(std::string("\"") + key + "\" is required");
    return *s;
}

bool flag(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null())
        return false;
    if (!v->is_bool())
        throw BadRequest(std::string("\"") + key + "\" must be true or false");
    return v->get_bool();
}

std::optional<std::int64_t> optional_integer(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null())
        return std::nullopt;
    if (!v->is_int64())
        throw BadRequest(std::string("\"") + key + "\" must be an integer");
    return v->get_int64();
}

std::vector<queue::ItemId> item_ids(const boost::json::object& o) {
    std::vector<queue::ItemId> out;
    const auto* v = o.if_contains("ids");
    if (v == nullptr || v->is_null())
        return out;
    if (!v->is_array())
        throw BadRequest("\"ids\" must be a list");
    const auto& a = v->get_array();
    if (a.size() > kMaxIdsPerRequest) {
        throw BadRequest("more than " + std::to_string(kMaxIdsPerRequest) + " ids in one request");
    }
    for (const auto& e : a) {
        const auto id = e.is_string() ? queue::ItemId::parse(e.get_string()) : std::nullopt;
        if (!id)
            throw BadRequest("not an item id: " + (e.is_string()
                                                       ? std::string(e.get_string()).substr(0, 64)
                                                       : std::string("(not text)")));
        out.push_back(*id);
    }
    return out;
}

}  // namespace sekisho::control

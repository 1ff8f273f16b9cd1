#pragma once
// Reading a request's fields with their limits. A missing required field, a wrong type or
// a value over its limit throws BadRequest (exit 2 at the client).

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "queue/item_id.hpp"

namespace sekisho::control {

inline constexpr std::size_t kMaxIdsPerRequest = 10'000;

class BadRequest : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

std::optional<std::string> optional_text(const boost::json::object& o, const char* key,
                                         std::size_t max_bytes);
std::string required_text(const boost::json::object& o, const char* key, std::size_t max_bytes);
bool flag(const boost::json::object& o, const char* key);
std::optional<std::int64_t> optional_integer(const boost::json::object& o, const char* key);
// "ids": item ids as text; every one must parse.
std::vector<queue::ItemId> item_ids(const boost::json::object& o);

}  // namespace sekisho::control

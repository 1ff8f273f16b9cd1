#pragma once
// Strict reading of the JSON bodies and RFC 7807 problems of the HTTPS sources
// (spec/mynaportal-api.md, spec/chukan-api.md): a field that is missing, of the wrong type
// or over its limit is a ProtocolError, never guessed at.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/digest.hpp"

namespace sekisho::http {

class ProtocolError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

boost::json::value parse_json_body(std::string_view body);
const boost::json::object& as_object(const boost::json::value& v, const char* what);
const boost::json::value& field(const boost::json::object& o, const char* key);
std::string text_field(const boost::json::object& o, const char* key, std::size_t max = 256);
std::uint64_t count_field(const boost::json::object& o, const char* key);
// 64 hex digits.
Sha256Digest hex_sha256(const std::string& hex);

// An RFC 7807 answer; `type` is the part after `problem_base` when it starts with it, or
// the whole URI.
struct Problem {
    unsigned status = 0;
    std::string type;
    std::string title;
    std::optional<std::chrono::seconds> retry_after;
};

// Never throws: a malformed problem body still yields the status and Retry-After (seconds,
// at most a day).
Problem parse_problem(unsigned status, std::string_view body, std::string_view retry_after,
                      std::string_view problem_base);

}  // namespace sekisho::http

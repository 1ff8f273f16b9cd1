#pragma once
// The messages of spec/mynaportal-api.md, parsed strictly: anything the spec does not
// allow is a ProtocolError, never guessed at. Only adapters/mynaportal/ knows them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/json_body.hpp"
#include "queue/crypto.hpp"

namespace sekisho::mynaportal {

using http::Problem;
using http::ProtocolError;

inline constexpr const char* kProblemBase = "https://sekisho.example/problems/";

struct Office {
    std::string prefecture;
    std::string district;
    std::string symbol;
    std::string number;
};

struct Filing {
    std::string arrive_id;
    std::string procedure_id;
    std::vector<std::string> form_codes;
    Office office;  // business identifiers: kept only in the item's sealed metadata
    std::string submitted_at;
    std::string auth_method;  // "certificate" | "gbizid"
    std::uint64_t size = 0;
    queue::Digest sha256{};
};

struct ListPage {
    std::uint64_t total = 0;
    std::uint64_t limit = 0;
    std::uint64_t offset = 0;
    std::vector<Filing> filings;
};

struct Session {
    std::string access_token;
    std::chrono::seconds expires_in{0};
    std::optional<std::int64_t> password_expires_at_ms;
};

bool valid_arrive_id(std::string_view id);

ListPage parse_list(std::string_view json);
Session parse_login(std::string_view json);
std::string parse_notice_id(std::string_view json);
// Never throws: a malformed problem body still yields the status and Retry-After; `type`
// is the part after kProblemBase ("token-expired", …) or the whole URI.
Problem parse_problem(unsigned status, std::string_view body, std::string_view retry_after);

std::string login_body(std::string_view user_id, std::string_view password);
std::string password_body(std::string_view current, std::string_view next);
// {"user_id", "current_password", "new_password"}: the change of an EXPIRED password
// without a Bearer token. Not in spec/mynaportal-api.md; see
// ApiClient::change_expired_password.
std::string expired_password_body(std::string_view user_id, std::string_view current,
                                  std::string_view next);
std::string notice_body(std::string_view kind, std::string_view reason_code,
                        std::string_view message);
// The item's sealed metadata: what the listing said, including the office.
std::string filing_metadata(const Filing& f);

}  // namespace sekisho::mynaportal

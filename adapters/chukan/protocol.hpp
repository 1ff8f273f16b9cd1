#pragma once
// The messages of spec/chukan-api.md, parsed strictly: anything the spec does not allow is
// a ProtocolError. Only adapters/chukan/ knows them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/json_body.hpp"

namespace sekisho::chukan {

using http::Problem;
using http::ProtocolError;

inline constexpr const char* kProblemBase = "https://sekisho.example/problems/";
inline constexpr std::size_t kMaxPageResults = 50;

// The file kinds of the spec: results come in, requests go out.
inline constexpr std::array<std::string_view, 3> kResultKinds{"SHIKAKU-REG-RES", "HONNIN-RES",
                                                              "SHOKAI-RES"};
inline constexpr std::array<std::string_view, 3> kRequestKinds{"SHIKAKU-REG-REQ", "HONNIN-REQ",
                                                               "SHOKAI-REQ"};
bool is_result_kind(std::string_view kind);
bool is_request_kind(std::string_view kind);

struct ResultEntry {
    std::string result_id;
    std::string kind;
    std::string created_at;  // RFC 3339
    std::uint64_t size = 0;
    Sha256Digest sha256{};
    std::uint64_t records = 0;
};

struct ResultPage {
    std::uint64_t total = 0;
    std::vector<ResultEntry> results;
};

enum class RequestStatus { accepted, processing, done, error };
std::string_view name(RequestStatus s);

struct RequestState {
    RequestStatus status = RequestStatus::accepted;
    std::optional<std::string> result_id;  // set once done
};

// Ids that go into URL paths: [0-9A-Za-z-]{1,64}.
bool valid_id(std::string_view id);

ResultPage parse_results(std::string_view body);
// The answer to PUT /v1/requests/{client_request_id}: {"request_id": "…"}.
std::string parse_request_created(std::string_view body);
RequestState parse_request_state(std::string_view body);
// Never throws; see http::parse_problem.
Problem parse_problem(unsigned status, std::string_view body, std::string_view retry_after);
// The item's sealed metadata: what the listing said.
std::string result_metadata(const ResultEntry& r);

}  // namespace sekisho::chukan

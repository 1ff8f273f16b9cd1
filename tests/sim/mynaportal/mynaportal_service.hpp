#pragma once
// The Mynaportal API of spec/mynaportal-api.md as a plain function from request to
// response, with its state (password, tokens, downloaded marks, notices) and the fault
// plan. No sockets here: tls_server.cpp carries requests in and responses out, and the
// unit tests call handle() directly.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/sim/mynaportal/codec.hpp"
#include "tests/sim/mynaportal/faults.hpp"
#include "tests/sim/mynaportal/filing_store.hpp"

namespace sekisho::sim::mynaportal {

inline constexpr std::string_view kProblemBase = "https://sekisho.example/problems/";
inline constexpr std::string_view kDefaultUserId = "K1234567";
inline constexpr std::string_view kDefaultPassword = "sekisho-sim-password";

struct Request {
    std::string method;
    std::string target;
    // Header values; empty when the header is absent.
    std::string user_agent;
    std::string request_id;
    std::string authorization;
    std::string content_type;
    std::string body;
    std::string client_cert_sha256;  // for the record only
};

// How the network layer delivers a response; anything but `normal` is a fault.
enum class Delivery {
    normal,
    reset,     // no answer: the TCP connection is reset (SO_LINGER 0)
    truncate,  // the full Content-Length is announced, half the body sent, then closed
};

struct NoticeRecord {
    std::string kind;
    std::string reason_code;  // empty when none was given
    std::string notice_id;
};

struct Response {
    unsigned status = 200;
    std::string content_type;  // empty: no body
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    Delivery delivery = Delivery::normal;
    // For the record:
    std::string fault;                   // the injected fault's name, empty when none
    std::string arrive_id;               // the filing the request concerned
    std::optional<NoticeRecord> notice;  // the notice accepted by this request

    std::string header(std::string_view name) const;
};

// An RFC 7807 problem: application/problem+json with type, title, status and detail.
// `type` is the last part of the URI under kProblemBase ("token-expired").
Response problem(unsigned status, std::string_view type, std::string_view title,
                 std::string_view detail);

// Whether `message` holds a run of exactly 12 digits (ASCII or full-width, possibly
// split by single spaces or hyphens): the shape of a 個人番号, which a notice must not carry.
bool contains_twelve_digit_run(std::string_view message);

struct Settings {
    std::filesystem::path filings_dir;
    std::string user_id{kDefaultUserId};
    std::string password{kDefaultPassword};
    std::optional<TimePoint> password_expires_at;  // default: one year after start
    std::chrono::seconds token_lifetime{3600};
    std::chrono::seconds retry_after{1};
    FaultSettings faults;
    std::function<TimePoint()> clock;  // system clock when empty
};

class Service {
  public:
    explicit Service(Settings settings);

    // Thread-safe; requests are handled one at a time, in arrival order, which is the
    // order the fault counters see.
    Response handle(const Request& request);

  private:
    struct Notice {
        std::string kind;
        std::string reason_code;
        std::string message;
        std::string id;
    };

    TimePoint now() const;
    Response dispatch(const Request& request);
    Response route(const Request& request, std::string_view path, std::string_view query);
    Response filing_route(const Request& request, std::string_view rest);
    std::optional<Response> authenticate(const Request& request);
    bool token_valid(const Request& request) const;
    const Filing* lookup(std::string_view arrive_id);

    Response login(const Request& request);
    Response change_password(const Request& request);
    Response logout(const Request& request);
    Response list(const Request& request, std::string_view query);
    Response package(const Filing& filing);
    Response downloaded(const Filing& filing);
    Response notice(const Request& request, const Filing& filing);
    Response fault_response(Fault fault);

    Settings settings_;
    std::mutex mutex_;
    FilingStore store_;
    FaultPlan faults_;
    TimePoint password_expires_at_;
    std::map<std::string, TimePoint> tokens_;  // token -> expiry
    std::set<std::string, std::less<>> downloaded_;
    std::map<std::string, std::vector<Notice>, std::less<>> notices_;
};

}  // namespace sekisho::sim::mynaportal

#pragma once
// The Mynaportal API of spec/mynaportal-api.md as a plain function from request to
// response (common/http_service.hpp), with its state: password, tokens, downloaded marks,
// notices. The record names the filing ("arrive_id") and an accepted notice ("notice":
// {kind, reason_code?, notice_id}).

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/common/codec.hpp"
#include "tests/sim/common/http_service.hpp"
#include "tests/sim/mynaportal/filing_store.hpp"

namespace sekisho::sim::mynaportal {

inline constexpr std::string_view kDefaultUserId = "K1234567";
inline constexpr std::string_view kDefaultPassword = "sekisho-sim-password";

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

class Service : public HttpService {
  public:
    explicit Service(Settings settings);

  private:
    struct Notice {
        std::string kind;
        std::string reason_code;
        std::string message;
        std::string id;
    };

    TimePoint now() const;
    Response route(const Request& request, std::string_view path, std::string_view query) override;
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

    Settings settings_;
    FilingStore store_;
    TimePoint password_expires_at_;
    std::map<std::string, TimePoint> tokens_;  // token -> expiry
    std::set<std::string, std::less<>> downloaded_;
    std::map<std::string, std::vector<Notice>, std::less<>> notices_;
};

}  // namespace sekisho::sim::mynaportal

#pragma once
// What every simulated HTTPS API shares, without sockets: requests and responses as plain
// values, RFC 7807 problems, query parameters, and HttpService, the base that checks the
// headers every Sekisho request carries (spec/mynaportal-api.md, Transport), injects the
// request-level faults and hands the rest to the API's route(). tls_server.cpp carries
// requests in and responses out; unit tests call handle() directly.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/sim/common/faults.hpp"

namespace sekisho::sim {

inline constexpr std::string_view kProblemBase = "https://sekisho.example/problems/";

struct Request {
    std::string method;
    std::string target;
    // Header values; empty when the header is absent.
    std::string user_agent;
    std::string request_id;
    std::string authorization;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;  // all of them, as received
    std::string body;
    std::string client_cert_sha256;  // for the record only

    // The first value of header `name` (case-insensitive); empty when absent.
    std::string header(std::string_view name) const;
};

// How the network layer delivers a response; anything but `normal` is a fault.
enum class Delivery {
    normal,
    reset,     // no answer: the TCP connection is reset (SO_LINGER 0)
    truncate,  // the full Content-Length is announced, half the body sent, then closed
};

struct Response {
    unsigned status = 200;
    std::string content_type;  // empty: no body
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    Delivery delivery = Delivery::normal;
    // For the record:
    std::string fault;           // the injected fault's name, empty when none
    boost::json::object record;  // what the request concerned ("arrive_id", "result_id", ...)

    std::string header(std::string_view name) const;
};

// An RFC 7807 problem: application/problem+json with type, title, status and detail.
// `type` is the last part of the URI under kProblemBase ("token-expired").
Response problem(unsigned status, std::string_view type, std::string_view title,
                 std::string_view detail);
Response bad_request(std::string_view detail);
Response not_found(std::string_view detail);
// 405 with Allow: `allow`.
Response method_not_allowed(std::string_view allow);
Response json_response(unsigned status, const boost::json::value& body);
Response no_content();

bool iequals(std::string_view a, std::string_view b);
// Whether a Content-Type value names `type` ("application/json"), parameters aside.
bool media_type_is(std::string_view content_type, std::string_view type);
// 1..max characters of [0-9A-Za-z-]: the ids the APIs put into paths.
bool valid_id(std::string_view id, std::size_t max);

// Query parameters, percent-decoded; throws std::invalid_argument on a repeated one.
std::map<std::string, std::string> parse_query(std::string_view query);
// A non-negative decimal parameter, `fallback` when absent; throws std::invalid_argument
// when malformed.
std::uint64_t number_param(const std::map<std::string, std::string>& query, const std::string& key,
                           std::uint64_t fallback);

// ?limit=L&offset=O of a paged list: limit 1..max (max when absent), offset 0 or more (0
// when absent). The constructor throws std::invalid_argument saying which one is wrong.
struct Paging {
    Paging(const std::map<std::string, std::string>& query, std::uint64_t max);

    // The entries of this page of `items`, each as `listing(item)`.
    template <typename T, typename F>
    boost::json::array page(const std::vector<T>& items, F listing) const {
        boost::json::array out;
        for (auto i = offset; i < items.size() && i < offset + limit; ++i)
            out.push_back(listing(items[i]));
        return out;
    }

    std::uint64_t limit = 0;
    std::uint64_t offset = 0;
};

class HttpService {
  public:
    HttpService(FaultSettings faults, std::chrono::seconds retry_after);
    virtual ~HttpService() = default;
    HttpService(const HttpService&) = delete;
    HttpService& operator=(const HttpService&) = delete;

    // Thread-safe; requests are handled one at a time, in arrival order, which is the
    // order the fault counters see. Without `User-Agent: sekisho/<version>` and
    // `X-Request-Id: <uuid>` a request gets 400 and is not counted for any fault; a
    // request-level fault answers instead of route(); a std::invalid_argument from route()
    // is a 400 bad-request with its message. X-Request-Id is echoed.
    Response handle(const Request& request);

  protected:
    // The API itself, called under the lock with the target split at '?'.
    virtual Response route(const Request& request, std::string_view path,
                           std::string_view query) = 0;
    FaultPlan& faults() { return faults_; }
    // 200 with `bytes` and their Repr-Digest, with the truncate and wrong-digest faults.
    Response download(std::string bytes, std::string content_type);

  private:
    Response dispatch(const Request& request);
    Response fault_response(Fault fault) const;

    std::mutex mutex_;
    FaultPlan faults_;
    std::chrono::seconds retry_after_;
};

}  // namespace sekisho::sim

#include "tests/sim/chukan/chukan_service.hpp"

#include <cstdio>
#include <exception>

#include "common/atomic_file.hpp"
#include "tests/sim/chukan/result_maker.hpp"

namespace sekisho::sim::chukan {
namespace {

namespace json = boost::json;

constexpr std::uint64_t kMaxLimit = 50;
constexpr std::string_view kResultType = "text/csv; charset=Shift_JIS";

// "-000017"
std::string sequence_suffix(std::uint64_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "-%06llu", static_cast<unsigned long long>(n));
    return buf;
}

// A 400 whose title says what is wrong, so that a client that shows only the title (as the
// gateway's adapter does) shows why.
Response refused(std::string_view why) {
    return problem(400, "bad-request", why, why);
}

}  // namespace

Service::Service(Settings settings)
    : HttpService(settings.faults, settings.retry_after),
      settings_(std::move(settings)),
      store_(settings_.results_dir) {
    const auto started = format_rfc3339_jst(now());
    for (const char c : started) {
        if (c >= '0' && c <= '9' && run_.size() < 14)
            run_ += c;
    }
    store_.rescan();
}

TimePoint Service::now() const {
    return settings_.clock ? settings_.clock() : std::chrono::system_clock::now();
}

Response Service::route(const Request& request, std::string_view path, std::string_view query) {
    constexpr std::string_view kResults = "/v1/results/";
    constexpr std::string_view kRequests = "/v1/requests/";
    if (path == "/v1/results")
        return request.method == "GET" ? list(query) : method_not_allowed("GET");
    if (path.starts_with(kResults))
        return result_route(request, path.substr(kResults.size()));
    if (path.starts_with(kRequests) && path.find('/', kRequests.size()) == std::string_view::npos)
        return request_route(request, path.substr(kRequests.size()));
    return not_found("no such resource");
}

// /v1/results/{result_id} and /v1/results/{result_id}/ack
Response Service::result_route(const Request& request, std::string_view rest) {
    const auto slash = rest.find('/');
    const auto id = rest.substr(0, slash);
    const bool ack = slash != std::string_view::npos;
    if (ack && rest.substr(slash + 1) != "ack")
        return not_found("no such resource");
    const std::string_view method = ack ? "POST" : "GET";
    if (request.method != method)
        return method_not_allowed(method);
    if (!valid_id(id, kMaxIdChars))
        return bad_request("result_id must be 1..64 characters of [0-9A-Za-z-]");
    const Result* result = lookup(id);
    Response r;
    if (result == nullptr) {
        r = not_found("no result with this result_id");
    } else if (ack) {
        acked_.insert(result->result_id);
        r = no_content();
    } else if (auto bytes = read_bytes(result->file.path)) {
        r = download(std::move(*bytes), std::string(kResultType));
    } else {
        r = not_found("the file of this result is gone");
    }
    r.record["result_id"] = id;
    return r;
}

// PUT /v1/requests/{client_request_id}, GET /v1/requests/{request_id}
Response Service::request_route(const Request& request, std::string_view id) {
    const bool put = request.method == "PUT";
    if (!put && request.method != "GET")
        return method_not_allowed("GET, PUT");
    if (!valid_id(id, kMaxIdChars))
        return bad_request("the request id must be 1..64 characters of [0-9A-Za-z-]");
    return put ? submit(request, std::string(id)) : status(std::string(id));
}

// Results dropped into the directory after the last listing are found too.
const Result* Service::lookup(std::string_view result_id) {
    if (const auto* r = store_.find(result_id))
        return r;
    store_.rescan();
    return store_.find(result_id);
}

Response Service::list(std::string_view query) {
    const Paging paging(parse_query(query), kMaxLimit);
    store_.rescan();
    std::vector<const Result*> open;
    for (const auto& r : store_.results()) {
        if (!acked_.contains(r.result_id))
            open.push_back(&r);
    }
    auto page = paging.page(open, [](const Result* r) { return ResultStore::listing(*r); });
    return json_response(200, json::object{{"total", open.size()}, {"results", std::move(page)}});
}

Response Service::submit(const Request& request, const std::string& client_request_id) {
    const std::string kind = request.header("X-Request-Kind");
    Response r;
    const auto result_kind = result_kind_for(kind);
    if (result_kind.empty()) {
        r = refused("X-Request-Kind must be SHIKAKU-REG-REQ, HONNIN-REQ or SHOKAI-REQ");
    } else if (!media_type_is(request.content_type, "text/csv")) {
        r = problem(415, "unsupported-media-type", "Unsupported Media Type",
                    "the body must be text/csv; charset=Shift_JIS");
    } else if (shape_of(request.body).kind != kind) {
        r = refused("the file's header line is not H," + kind + ",...");
    } else {
        r = create(client_request_id, kind, request.body);
    }
    r.record["client_request_id"] = client_request_id;
    if (!kind.empty())
        r.record["request_kind"] = kind;
    return r;
}

Response Service::create(const std::string& client_request_id, std::string_view kind,
                         const std::string& body) {
    const auto digest = sha256(body);
    unsigned status = 200;
    auto known = submissions_.find(client_request_id);
    if (known == submissions_.end()) {
        Job job;
        job.result_kind = result_kind_for(kind);
        job.records = shape_of(body).records;
        job.sequence = jobs_.size() + 1;
        job.fails =
            settings_.error_request_every != 0 && job.sequence % settings_.error_request_every == 0;
        const std::string request_id = "Q" + run_ + sequence_suffix(job.sequence);
        jobs_.emplace(request_id, std::move(job));
        known = submissions_.emplace(client_request_id, Submission{digest, request_id}).first;
        status = 201;
    } else if (known->second.sha256 != digest) {
        return problem(409, "request-conflict", "Request Conflict",
                       "this client_request_id was taken with other bytes");
    }
    auto r = json_response(status, json::object{{"request_id", known->second.request_id}});
    r.record["issued_request_id"] = known->second.request_id;
    return r;
}

Response Service::status(const std::string& request_id) {
    const auto it = jobs_.find(request_id);
    if (it == jobs_.end())
        return not_found("no request with this request_id");
    Job& job = it->second;
    const auto poll = job.polls + 1;
    json::object body;
    if (poll == 1) {
        body["status"] = "accepted";
    } else if (poll <= 1 + settings_.processing_polls) {
        body["status"] = "processing";
    } else if (job.fails) {
        body["status"] = "error";
    } else {
        try {
            if (job.result_id.empty())
                job.result_id = finish(job);
        } catch (const std::exception& e) {
            return problem(500, "internal-error", "Internal Server Error",
                           std::string("cannot write the result file: ") + e.what());
        }
        body["status"] = "done";
        body["result_id"] = job.result_id;
    }
    job.polls = poll;
    auto r = json_response(200, body);
    r.record["request_status"] = body.at("status");
    if (!job.result_id.empty())
        r.record["result_id"] = job.result_id;
    return r;
}

std::string Service::finish(const Job& job) {
    const std::string base = "R" + run_ + sequence_suffix(job.sequence);
    std::string id = base;
    for (int n = 2; std::filesystem::exists(store_.dir() / (id + ".csv")); ++n)
        id = base + "-" + std::to_string(n);
    write_file_atomically(store_.dir() / (id + ".csv"),
                          make_result(job.result_kind, job.records, job.sequence, now()), 0644);
    return id;
}

}  // namespace sekisho::sim::chukan

#include "tests/sim/mynaportal/filing_store.hpp"

#include <algorithm>
#include <set>

#include "tests/sim/common/codec.hpp"

namespace sekisho::sim::mynaportal {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The listing fields of the spec; any other sidecar key ("expect", "description") is
// for the tests and stays out of the listing.
constexpr std::string_view kListingKeys[] = {"arrive_id", "procedure_id", "form_codes",
                                             "office",    "submitted_at", "auth_method"};

// A plausible listing for a filing without sidecar (or for the keys it leaves out).
json::object default_fields(const ScannedFile& zip) {
    return json::object{
        {"arrive_id", zip.path.stem().string()},
        {"procedure_id", "950A010700005000"},
        {"form_codes", json::array{"2200700"}},
        {"office",
         json::object{
             {"prefecture", "13"}, {"district", "01"}, {"symbol", "ｱｲｳ"}, {"number", "12345"}}},
        {"submitted_at", format_rfc3339_jst(zip.mtime)},
        {"auth_method", "certificate"},
    };
}

std::int64_t sort_time(const json::object& fields) {
    const auto* v = fields.if_contains("submitted_at");
    if (v == nullptr || !v->is_string())
        return 0;
    const auto t = parse_rfc3339(v->as_string());
    return t ? std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count()
             : 0;
}

}  // namespace

void FilingStore::rescan() {
    std::vector<Filing> next;
    std::set<std::string, std::less<>> ids;
    for (const auto& zip : scanner_.scan()) {
        auto filing = load(zip);
        if (filing && !ids.insert(filing->arrive_id).second) {
            scanner_.warn(zip.path, "arrive_id already used by another filing");
            continue;
        }
        if (filing)
            next.push_back(std::move(*filing));
    }
    std::stable_sort(next.begin(), next.end(), [](const Filing& a, const Filing& b) {
        return std::tie(a.submitted_ms, a.arrive_id) < std::tie(b.submitted_ms, b.arrive_id);
    });
    filings_ = std::move(next);
}

// Sidecar values over the defaults; nullopt when the sidecar exists but is not usable.
std::optional<Filing> FilingStore::load(const ScannedFile& zip) {
    const auto sidecar = scanner_.sidecar(zip.path);
    if (!sidecar)
        return std::nullopt;
    json::object fields = default_fields(zip);
    for (const auto key : kListingKeys) {
        if (const auto* given = sidecar->if_contains(key))
            fields[key] = *given;
    }
    if (!fields["arrive_id"].is_string()) {
        fs::path path = zip.path;
        scanner_.warn(path.replace_extension(".json"), "arrive_id is not a string");
        return std::nullopt;
    }
    Filing f;
    f.arrive_id = std::string(fields.at("arrive_id").as_string());
    f.package = zip.path;
    f.size = zip.size;
    f.sha256_hex = zip.sha256_hex;
    f.submitted_ms = sort_time(fields);
    f.fields = std::move(fields);
    return f;
}

const Filing* FilingStore::find(std::string_view arrive_id) const {
    for (const auto& f : filings_) {
        if (f.arrive_id == arrive_id)
            return &f;
    }
    return nullptr;
}

json::object FilingStore::listing(const Filing& filing) {
    json::object out;
    for (const auto key : kListingKeys)
        out[key] = filing.fields.at(key);
    out["size"] = filing.size;
    out["sha256"] = filing.sha256_hex;
    return out;
}

std::optional<std::string> FilingStore::read_package(const Filing& filing) {
    return read_bytes(filing.package);
}

}  // namespace sekisho::sim::mynaportal

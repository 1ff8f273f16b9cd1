#include "tests/sim/mynaportal/filing_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "tests/sim/mynaportal/codec.hpp"

namespace sekisho::sim::mynaportal {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The listing fields of the spec; any other sidecar key ("expect", "description") is
// for the tests and stays out of the listing.
constexpr std::string_view kListingKeys[] = {"arrive_id", "procedure_id", "form_codes",
                                             "office",    "submitted_at", "auth_method"};

std::optional<std::string> slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad())
        return std::nullopt;
    return s.str();
}

void warn(const fs::path& file, std::string_view why) {
    std::cerr << "sekisho-sim mynaportal: skipping " << file.string() << ": " << why << "\n";
}

TimePoint file_time(const fs::path& file) {
    const auto t = fs::last_write_time(file);
    return std::chrono::time_point_cast<TimePoint::duration>(std::chrono::file_clock::to_sys(t));
}

// A plausible listing for a filing without sidecar (or for the keys it leaves out).
json::object default_fields(const fs::path& zip) {
    return json::object{
        {"arrive_id", zip.stem().string()},
        {"procedure_id", "950A010700005000"},
        {"form_codes", json::array{"2200700"}},
        {"office",
         json::object{
             {"prefecture", "13"}, {"district", "01"}, {"symbol", "ｱｲｳ"}, {"number", "12345"}}},
        {"submitted_at", format_rfc3339_jst(file_time(zip))},
        {"auth_method", "certificate"},
    };
}

// Sidecar values over the defaults; nullopt when the sidecar exists but is not usable.
std::optional<json::object> fields_for(const fs::path& zip) {
    json::object fields = default_fields(zip);
    fs::path sidecar = zip;
    sidecar.replace_extension(".json");
    if (!fs::exists(sidecar))
        return fields;
    const auto text = slurp(sidecar);
    boost::system::error_code ec;
    const json::value v = text ? json::parse(*text, ec) : json::value();
    if (!text || ec || !v.is_object()) {
        warn(sidecar, "not a JSON object");
        return std::nullopt;
    }
    for (const auto key : kListingKeys) {
        if (const auto* given = v.as_object().if_contains(key))
            fields[key] = *given;
    }
    if (!fields["arrive_id"].is_string()) {
        warn(sidecar, "arrive_id is not a string");
        return std::nullopt;
    }
    return fields;
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
    std::vector<fs::path> zips;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        if (entry.path().extension() == ".zip" && entry.is_regular_file())
            zips.push_back(entry.path());
    }
    if (ec)
        std::cerr << "sekisho-sim mynaportal: cannot read " << dir_.string() << ": " << ec.message()
                  << "\n";
    std::sort(zips.begin(), zips.end());
    std::vector<Filing> next;
    std::set<std::string, std::less<>> ids;
    for (const auto& zip : zips) {
        auto filing = load(zip);
        if (filing && !ids.insert(filing->arrive_id).second) {
            warn(zip, "arrive_id already used by another filing");
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

std::optional<Filing> FilingStore::load(const fs::path& zip) {
    try {
        auto fields = fields_for(zip);
        const Hashed* h = fields ? hashed(zip) : nullptr;
        if (h == nullptr)
            return std::nullopt;
        Filing f;
        f.arrive_id = std::string(fields->at("arrive_id").as_string());
        f.package = zip;
        f.size = h->size;
        f.sha256_hex = h->sha256_hex;
        f.submitted_ms = sort_time(*fields);
        f.fields = std::move(*fields);
        return f;
    } catch (const fs::filesystem_error& e) {
        // Removed between listing the directory and reading it.
        warn(zip, e.what());
        return std::nullopt;
    }
}

const FilingStore::Hashed* FilingStore::hashed(const fs::path& zip) {
    const auto mtime = fs::last_write_time(zip);
    const auto size = fs::file_size(zip);
    auto it = hashes_.find(zip);
    if (it != hashes_.end() && it->second.mtime == mtime && it->second.size == size)
        return &it->second;
    const auto bytes = slurp(zip);
    if (!bytes) {
        warn(zip, "cannot read");
        return nullptr;
    }
    Hashed h{mtime, bytes->size(), hex(sha256(*bytes))};
    return &(hashes_[zip] = std::move(h));
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
    return slurp(filing.package);
}

}  // namespace sekisho::sim::mynaportal

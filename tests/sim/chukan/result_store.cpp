#include "tests/sim/chukan/result_store.hpp"

#include <algorithm>
#include <array>

#include "tests/sim/common/codec.hpp"
#include "tests/sim/common/http_service.hpp"

namespace sekisho::sim::chukan {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 3> kResultKinds{"SHIKAKU-REG-RES", "HONNIN-RES",
                                                       "SHOKAI-RES"};

// The first line of `rest` without its CR LF; `rest` moves past it.
std::string_view next_line(std::string_view& rest) {
    const auto lf = rest.find('\n');
    auto line = rest.substr(0, lf);
    rest = lf == std::string_view::npos ? std::string_view{} : rest.substr(lf + 1);
    if (line.ends_with('\r'))
        line.remove_suffix(1);
    return line;
}

// The facts the scanner keeps about a file's bytes.
json::object summarize(std::string_view bytes) {
    const auto shape = shape_of(bytes);
    return json::object{{"kind", shape.kind}, {"records", shape.records}};
}

}  // namespace

FileShape shape_of(std::string_view bytes) {
    FileShape shape;
    std::string_view rest = bytes;
    const auto header = next_line(rest);
    if (header.starts_with("H,")) {
        const auto kind = header.substr(2);
        shape.kind = std::string(kind.substr(0, kind.find(',')));
    }
    std::string_view last;
    while (!rest.empty()) {
        last = next_line(rest);
        ++shape.records;
    }
    if (shape.records > 0 && last.starts_with("T,"))
        --shape.records;
    return shape;
}

bool is_result_kind(std::string_view kind) {
    return std::find(kResultKinds.begin(), kResultKinds.end(), kind) != kResultKinds.end();
}

ResultStore::ResultStore(std::filesystem::path dir)
    : dir_(dir), scanner_(std::move(dir), ".csv", "chukan", summarize) {}

void ResultStore::rescan() {
    std::vector<Result> next;
    for (const auto& csv : scanner_.scan()) {
        if (auto result = load(csv))
            next.push_back(std::move(*result));
    }
    std::sort(next.begin(), next.end(),
              [](const Result& a, const Result& b) { return a.result_id < b.result_id; });
    results_ = std::move(next);
}

std::optional<Result> ResultStore::load(const ScannedFile& csv) {
    Result r;
    r.result_id = csv.path.stem().string();
    if (!valid_id(r.result_id, kMaxIdChars))
        return std::nullopt;  // not a result file's name
    const auto sidecar = scanner_.sidecar(csv.path);
    if (!sidecar)
        return std::nullopt;
    r.kind = std::string(csv.facts.at("kind").as_string());
    r.records = csv.facts.at("records").to_number<std::uint64_t>();
    if (const auto* kind = sidecar->if_contains("kind")) {
        if (!kind->is_string()) {
            scanner_.warn(csv.path, "the sidecar's kind is not a string");
            return std::nullopt;
        }
        r.kind = std::string(kind->as_string());
    } else if (!is_result_kind(r.kind)) {
        scanner_.warn(csv.path, "the header names no result kind and no sidecar gives one");
        return std::nullopt;
    }
    if (const auto* records = sidecar->if_contains("records")) {
        if (!records->is_uint64() && !(records->is_int64() && records->as_int64() >= 0)) {
            scanner_.warn(csv.path, "the sidecar's records is not a non-negative integer");
            return std::nullopt;
        }
        r.records = records->to_number<std::uint64_t>();
    }
    r.file = csv;
    return r;
}

const Result* ResultStore::find(std::string_view result_id) const {
    for (const auto& r : results_) {
        if (r.result_id == result_id)
            return &r;
    }
    return nullptr;
}

json::object ResultStore::listing(const Result& result) {
    return json::object{{"result_id", result.result_id},
                        {"kind", result.kind},
                        {"created_at", format_rfc3339_jst(result.file.mtime)},
                        {"size", result.file.size},
                        {"sha256", result.file.sha256_hex},
                        {"records", result.records}};
}

}  // namespace sekisho::sim::chukan

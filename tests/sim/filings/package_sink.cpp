#include "tests/sim/filings/package_sink.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace sekisho::sim::filings {
namespace {

namespace json = boost::json;
using namespace std::chrono;

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

json::object listing(const Draft& d) {
    const Office& o = d.filing.office;
    json::array forms;
    for (const auto& f : d.filing.form_codes())
        forms.emplace_back(f);
    json::array codes;
    for (const auto& c : d.codes)
        codes.emplace_back(c);
    return json::object{
        {"arrive_id", d.slot.arrive_id},
        {"procedure_id", d.filing.procedure_id},
        {"form_codes", forms},
        {"office", json::object{{"prefecture", o.prefecture},
                                {"district", o.district},
                                {"symbol", o.symbol},
                                {"number", o.number}}},
        {"submitted_at", d.slot.submitted_at},
        {"auth_method", d.auth_method},
        {"expect",
         json::object{{"verdict", d.codes.empty() ? "accept" : "reject"}, {"codes", codes}}},
        {"description", d.description},
    };
}

}  // namespace

PackageSink::PackageSink(std::filesystem::path dir, std::uint64_t seed)
    : dir_(std::move(dir)), sequence_base_(splitmix(seed) % 10'000'000) {
    // 2026-11-24 08:30 JST plus up to an hour chosen by the seed.
    const auto base = sys_days(year(2026) / November / 24) + hours(8) + minutes(30) - hours(9);
    start_ = system_clock::to_time_t(base) + static_cast<std::time_t>(splitmix(seed + 1) % 3600);
    std::filesystem::create_directories(dir_);
}

Slot PackageSink::next_slot() {
    const int i = next_++;
    Slot s;
    s.time = start_ + static_cast<std::time_t>(i) * 421;
    const auto jst = system_clock::from_time_t(s.time) + hours(9);
    const auto day = floor<days>(jst);
    const hh_mm_ss hms(floor<seconds>(jst - day));
    s.date = year_month_day(day);
    char clock[32];
    std::snprintf(clock, sizeof clock, "T%02d:%02d:%02d+09:00",
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    s.submitted_at = iso_date(s.date) + clock;
    char seq[16];
    std::snprintf(
        seq, sizeof seq, "%07llu",
        static_cast<unsigned long long>((sequence_base_ + static_cast<unsigned>(i)) % 10'000'000));
    s.arrive_id = compact_date(s.date) + seq;
    return s;
}

std::string PackageSink::write(const Draft& draft) {
    std::string zip = zip_bytes(draft);
    write(draft, zip);
    return zip;
}

void PackageSink::write(const Draft& draft, const std::string& zip) {
    write_file(dir_ / (draft.slot.arrive_id + ".zip"), zip);
    write_file(dir_ / (draft.slot.arrive_id + ".json"), json::serialize(listing(draft)) + "\n");
    ++written_;
    if (draft.codes.empty())
        ++tally_["accept"];
    for (const auto& c : draft.codes)
        ++tally_[c];
}

}  // namespace sekisho::sim::filings

#include "tests/sim/chukan_files/valid_chukan.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace sekisho::sim::chukan_files {
namespace {

using filings::compact_date;
using filings::make_date;
using filings::make_mynumber;
using filings::make_name;

constexpr std::array<const char*, 6> kCities{
    "北海道札幌市中央区", "東京都千代田区",   "岐阜県岐阜市",
    "愛知県名古屋市中区", "大阪府大阪市北区", "福岡県福岡市博多区",
};
constexpr std::array<const char*, 6> kTowns{"金町", "本町", "栄", "錦", "中央", "幸町"};

struct Office {
    const char* business;   // 事務名称
    const char* procedure;  // 事務手続名称
    const char* info;       // 特定個人情報名称
};
constexpr std::array<Office, 3> kShokai{{
    {"健康保険法による保険給付の支給に関する事務", "高額療養費の支給", "地方税関係情報"},
    {"健康保険法による保険給付の支給に関する事務", "被扶養者の認定", "年金給付関係情報"},
    {"健康保険法による保険料の徴収に関する事務", "保険料の減免", "住民票関係情報"},
}};
constexpr std::array<const char*, 4> kResultData{
    "課税区分：非課税／所得区分：オ",
    "課税区分：課税／所得区分：ウ",
    "年金種別：老齢基礎年金／支給状況：支給中",
    "続柄：子／世帯員数：３人",
};

std::string two(int n) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", n % 100);
    return buf;
}

Date random_birth(Rng& rng) {
    return filings::add_days(make_date(rng.uniform(1950, 2005), 1, 1), rng.uniform(0, 364));
}

std::string address(Rng& rng) {
    return std::string(rng.pick(std::span<const char* const>(kCities))) +
           rng.pick(std::span<const char* const>(kTowns)) +
           filings::fullwidth_number(rng.uniform(1, 9)) + "丁目" +
           filings::fullwidth_number(rng.uniform(1, 30)) + "番地";
}

std::string identifier(Rng& rng) {
    return "K" + rng.digits(9);
}

// The context of one record: its index in the file and the file's day.
struct Slot {
    Rng& rng;
    int index;
    Date day;
};

Fields shikaku_req(const Slot& s) {
    const auto name = make_name(s.rng);
    const Date birth = random_birth(s.rng);
    const Date acquired = filings::add_days(birth, s.rng.uniform(18 * 365, 20 * 365));
    const int type = s.index == 0 ? 2 : s.index == 1 ? 1 : s.rng.uniform(1, 3);
    const bool lost = s.index == 1 || s.rng.chance(15);
    return {std::to_string(type),
            identifier(s.rng),
            make_mynumber(s.rng),
            type == 1 && s.rng.chance(50) ? "" : two(s.rng.uniform(0, 2)),
            name.kanji,
            name.kana,
            compact_date(birth),
            std::to_string(name.sex),
            compact_date(acquired),
            lost ? compact_date(filings::add_days(acquired, s.rng.uniform(30, 3000))) : ""};
}

Fields shikaku_res(const Slot& s) {
    const bool error = s.index == 1 || (s.index > 1 && s.rng.chance(10));
    if (!error)
        return {std::to_string(s.rng.uniform(1, 3)), identifier(s.rng), two(s.rng.uniform(0, 2)),
                "0", ""};
    return {"1", identifier(s.rng), "", std::to_string(s.rng.uniform(1001, 1299)),
            "資格取得年月日が生年月日より前です"};
}

Fields honnin_req(const Slot& s) {
    const int condition = s.index == 0 ? 1 : s.index == 1 ? 2 : s.rng.uniform(1, 2);
    const std::string number = std::to_string(s.index + 1);
    const std::string as_of = compact_date(s.day);
    if (condition == 1)
        return {number, "1", make_mynumber(s.rng), "", "", "", "", as_of};
    const auto name = make_name(s.rng);
    const bool with_address = s.index == 1 || s.rng.chance(50);
    return {number,
            "2",
            "",
            name.kana,
            compact_date(random_birth(s.rng)),
            std::to_string(name.sex),
            with_address ? address(s.rng) : "",
            as_of};
}

int honnin_result(const Slot& s) {
    if (s.index < kPatternRecords)
        return std::array<int, kPatternRecords>{0, 2, 1}[static_cast<std::size_t>(s.index)];
    const int roll = s.rng.uniform(1, 100);
    return roll <= 70 ? 0 : roll <= 85 ? 1 : 2;
}

Fields honnin_res(const Slot& s) {
    const std::string number = std::to_string(s.index + 1);
    const int result = honnin_result(s);
    if (result == 1)
        return {number, "1", "", "", "", "", "", "", "", "", ""};
    const auto name = make_name(s.rng);
    const std::string birth = compact_date(random_birth(s.rng));
    if (result == 2)  // candidates are not named: only what the request said is echoed
        return {number, "2", "", "", "", name.kana, birth, "", "", "", ""};
    const bool moved = s.index == 0 || s.rng.chance(20);
    return {number,
            "0",
            s.rng.chance(95) ? "1" : "2",
            make_mynumber(s.rng),
            name.kanji,
            name.kana,
            birth,
            std::to_string(name.sex),
            address(s.rng),
            moved ? two(s.rng.uniform(1, 30)) : "",
            moved ? compact_date(filings::add_days(s.day, -s.rng.uniform(1, 400))) : ""};
}

std::string process_number(const Slot& s) {
    return compact_date(s.day) + s.rng.digits(4) + two(s.index % 100);
}

Fields shokai_req(const Slot& s) {
    const auto& o = s.rng.pick(std::span<const Office>(kShokai));
    return {process_number(s), o.business, o.procedure, o.info, two(s.rng.uniform(0, 2))};
}

Fields shokai_res(const Slot& s) {
    const auto& o = s.rng.pick(std::span<const Office>(kShokai));
    const bool withheld = s.index == 1 || (s.index > 1 && s.rng.chance(10));
    const std::string at = compact_date(s.day) + two(s.rng.uniform(8, 18)) +
                           two(s.rng.uniform(0, 59)) + two(s.rng.uniform(0, 59));
    return {process_number(s),
            std::to_string(s.rng.uniform(1, 3)),
            o.info,
            at,
            withheld ? "11" : "",
            "",
            two(s.rng.uniform(0, 2)),
            withheld ? "" : s.rng.pick(std::span<const char* const>(kResultData))};
}

using MakeRecord = Fields (*)(const Slot&);

struct KindMaker {
    std::string_view kind;
    MakeRecord make;
};

constexpr std::array<KindMaker, 6> kMakers{{
    {"SHIKAKU-REG-REQ", shikaku_req},
    {"SHIKAKU-REG-RES", shikaku_res},
    {"HONNIN-REQ", honnin_req},
    {"HONNIN-RES", honnin_res},
    {"SHOKAI-REQ", shokai_req},
    {"SHOKAI-RES", shokai_res},
}};

MakeRecord maker(std::string_view kind) {
    for (const auto& m : kMakers) {
        if (m.kind == kind)
            return m.make;
    }
    throw std::invalid_argument("chukan files: unknown kind");
}

}  // namespace

Draft make_valid(Rng& rng, std::string_view kind, Date day, int records) {
    const MakeRecord make = maker(kind);
    Draft d;
    d.kind = std::string(kind);
    d.created = compact_date(day) + two(rng.uniform(6, 20)) + two(rng.uniform(0, 59)) +
                two(rng.uniform(0, 59));
    for (int i = 0; i < std::max(records, kPatternRecords); ++i) {
        d.records.push_back(make(Slot{rng, i, day}));
        if (kind == "HONNIN-RES" && d.records.back()[1] == "2")
            ++d.multiple_matches;
    }
    return d;
}

}  // namespace sekisho::sim::chukan_files

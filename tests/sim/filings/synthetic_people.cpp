#include "tests/sim/filings/synthetic_people.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>

namespace sekisho::sim::filings {
namespace {

using namespace std::chrono;

struct NamePart {
    const char* kanji;
    const char* kana;
};

// Common name parts; any pairing of them is synthetic.
constexpr std::array<NamePart, 25> kFamily{{
    {"田中", "ﾀﾅｶ"},   {"鈴木", "ｽｽﾞｷ"},  {"佐藤", "ｻﾄｳ"},   {"高橋", "ﾀｶﾊｼ"},    {"伊藤", "ｲﾄｳ"},
    {"渡辺", "ﾜﾀﾅﾍﾞ"}, {"山本", "ﾔﾏﾓﾄ"},  {"中村", "ﾅｶﾑﾗ"},  {"小林", "ｺﾊﾞﾔｼ"},   {"加藤", "ｶﾄｳ"},
    {"吉田", "ﾖｼﾀﾞ"},  {"山田", "ﾔﾏﾀﾞ"},  {"佐々木", "ｻｻｷ"}, {"山口", "ﾔﾏｸﾞﾁ"},   {"松本", "ﾏﾂﾓﾄ"},
    {"井上", "ｲﾉｳｴ"},  {"木村", "ｷﾑﾗ"},   {"清水", "ｼﾐｽﾞ"},  {"長谷川", "ﾊｾｶﾞﾜ"}, {"岡田", "ｵｶﾀﾞ"},
    {"後藤", "ｺﾞﾄｳ"},  {"近藤", "ｺﾝﾄﾞｳ"}, {"石田", "ｲｼﾀﾞ"},  {"小川", "ｵｶﾞﾜ"},    {"藤原", "ﾌｼﾞﾜﾗ"},
}};
constexpr std::array<NamePart, 14> kGivenMale{{
    {"太郎", "ﾀﾛｳ"},
    {"健太", "ｹﾝﾀ"},
    {"翔太", "ｼｮｳﾀ"},
    {"大輔", "ﾀﾞｲｽｹ"},
    {"誠", "ﾏｺﾄ"},
    {"隆", "ﾀｶｼ"},
    {"浩二", "ｺｳｼﾞ"},
    {"拓也", "ﾀｸﾔ"},
    {"直樹", "ﾅｵｷ"},
    {"和也", "ｶｽﾞﾔ"},
    {"蓮", "ﾚﾝ"},
    {"悠真", "ﾕｳﾏ"},
    {"一郎", "ｲﾁﾛｳ"},
    {"修", "ｵｻﾑ"},
}};
constexpr std::array<NamePart, 12> kGivenFemale{{
    {"花子", "ﾊﾅｺ"},
    {"美咲", "ﾐｻｷ"},
    {"陽子", "ﾖｳｺ"},
    {"恵子", "ｹｲｺ"},
    {"由美", "ﾕﾐ"},
    {"彩", "ｱﾔ"},
    {"真由美", "ﾏﾕﾐ"},
    {"結衣", "ﾕｲ"},
    {"葵", "ｱｵｲ"},
    {"さくら", "ｻｸﾗ"},
    {"智子", "ﾄﾓｺ"},
    {"明美", "ｱｹﾐ"},
}};

struct Prefecture {
    const char* code;
    const char* name;
    const char* city;
    const char* tel_area;
};
constexpr std::array<Prefecture, 6> kPrefectures{{
    {"01", "北海道", "札幌市中央区", "011"},
    {"13", "東京都", "千代田区", "03"},
    {"21", "岐阜県", "岐阜市", "058"},
    {"23", "愛知県", "名古屋市中区", "052"},
    {"27", "大阪府", "大阪市北区", "06"},
    {"40", "福岡県", "福岡市博多区", "092"},
}};
constexpr std::array<const char*, 6> kTowns{"金町", "本町", "栄", "錦", "中央", "幸町"};
constexpr std::array<const char*, 8> kCompanies{"金華精機",   "長良川物産",  "みどり食品",
                                                "さくら運輸", "あおば商事",  "ひかり電機",
                                                "山河工業",   "若葉システム"};
// Half-width katakana ｱ..ﾜ, three UTF-8 bytes each.
constexpr std::string_view kSymbolKana = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜ";

struct Era {
    const char* code;
    Date start;
    int first_year;  // Gregorian year of the era's year 1
};
// Newest first; 平成 ends 2019-04-30 and 令和 starts 2019-05-01 (spec §4).
const std::array<Era, 5> kEras{{
    {"9", make_date(2019, 5, 1), 2019},
    {"7", make_date(1989, 1, 8), 1989},
    {"5", make_date(1926, 12, 25), 1926},
    {"3", make_date(1912, 7, 30), 1912},
    {"1", make_date(1868, 10, 23), 1868},
}};

std::string two(int n) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", n % 100);
    return buf;
}

std::string pad(int n, int width) {
    std::string s = std::to_string(n);
    return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                       '0') +
           s;
}

Date random_birth(Rng& rng) {
    for (;;) {
        const Date d = add_days(make_date(rng.uniform(1962, 2005), 1, 1), rng.uniform(0, 364));
        // Births right at the 昭和/平成 change are valid but needlessly edgy for test data.
        if (d.year() != year(1989) || d.month() != January)
            return d;
    }
}

}  // namespace

Date make_date(int y, unsigned m, unsigned d) {
    return Date{year(y), month(m), day(d)};
}

Date add_days(Date d, int days) {
    return Date{sys_days(d) + std::chrono::days(days)};
}

std::string iso_date(Date d) {
    return std::to_string(static_cast<int>(d.year())) + "-" +
           two(static_cast<int>(static_cast<unsigned>(d.month()))) + "-" +
           two(static_cast<int>(static_cast<unsigned>(d.day())));
}

std::string compact_date(Date d) {
    return std::to_string(static_cast<int>(d.year())) +
           two(static_cast<int>(static_cast<unsigned>(d.month()))) +
           two(static_cast<int>(static_cast<unsigned>(d.day())));
}

EraDate to_era(Date d) {
    for (const auto& era : kEras) {
        if (sys_days(d) >= sys_days(era.start)) {
            const int yy = static_cast<int>(d.year()) - era.first_year + 1;
            return {era.code, two(yy) + two(static_cast<int>(static_cast<unsigned>(d.month()))) +
                                  two(static_cast<int>(static_cast<unsigned>(d.day())))};
        }
    }
    throw std::invalid_argument("date before 明治");
}

int mynumber_check_digit(std::string_view first11) {
    int sum = 0;
    for (int n = 1; n <= 11; ++n) {
        const int p = first11[static_cast<std::size_t>(11 - n)] - '0';
        const int q = n <= 6 ? n + 1 : n - 5;
        sum += p * q;
    }
    const int r = sum % 11;
    return r <= 1 ? 0 : 11 - r;
}

bool mynumber_valid(std::string_view number) {
    if (number.size() != 12)
        return false;
    for (const char c : number) {
        if (c < '0' || c > '9')
            return false;
    }
    return number[11] - '0' == mynumber_check_digit(number.substr(0, 11));
}

std::string make_mynumber(Rng& rng) {
    const std::string first = rng.digits(11);
    return first + static_cast<char>('0' + mynumber_check_digit(first));
}

std::string make_bad_mynumber(Rng& rng) {
    const std::string first = rng.digits(11);
    const int good = mynumber_check_digit(first);
    return first + static_cast<char>('0' + (good + rng.uniform(1, 9)) % 10);
}

PersonName make_name(Rng& rng) {
    const auto& family = rng.pick(std::span<const NamePart>(kFamily));
    PersonName out;
    out.sex = rng.chance(50) ? 1 : 2;
    const auto& given = out.sex == 1 ? rng.pick(std::span<const NamePart>(kGivenMale))
                                     : rng.pick(std::span<const NamePart>(kGivenFemale));
    out.kanji = std::string(family.kanji) + "\u3000" + given.kanji;
    out.kana = std::string(family.kana) + " " + given.kana;
    return out;
}

std::string fullwidth_number(int n) {
    static constexpr std::array<const char*, 10> kDigits{"０", "１", "２", "３", "４",
                                                         "５", "６", "７", "８", "９"};
    std::string out;
    for (const char c : std::to_string(n))
        out += kDigits[static_cast<std::size_t>(c - '0')];
    return out;
}

Office make_office(Rng& rng) {
    const auto& pref = rng.pick(std::span<const Prefecture>(kPrefectures));
    Office o;
    o.prefecture = pref.code;
    o.district = pad(rng.uniform(1, 30), 2);
    const int symbol_len = rng.uniform(2, 4);
    for (int i = 0; i < symbol_len; ++i) {
        const auto k = static_cast<std::size_t>(rng.uniform(0, 43));
        o.symbol += kSymbolKana.substr(k * 3, 3);
    }
    o.number = pad(rng.uniform(1, 99999), 5);
    o.postal_parent = pad(rng.uniform(1, 999), 3);
    o.postal_child = pad(rng.uniform(0, 9999), 4);
    o.address =
        std::string(pref.name) + pref.city + rng.pick(std::span<const char* const>(kTowns)) +
        fullwidth_number(rng.uniform(1, 5)) + "丁目" + fullwidth_number(rng.uniform(1, 20)) + "番" +
        fullwidth_number(rng.uniform(1, 30)) + "号";
    o.name = std::string("株式会社") + rng.pick(std::span<const char* const>(kCompanies));
    o.owner = make_name(rng).kanji;
    o.tel_area = pref.tel_area;
    o.tel_local = std::to_string(rng.uniform(200, 899));
    o.tel_number = pad(rng.uniform(0, 9999), 4);
    return o;
}

Person make_person(Rng& rng, int seiri, const Office& office, bool with_mynumber) {
    Person p;
    p.seiri = seiri;
    p.name = make_name(rng);
    p.birth = random_birth(rng);
    if (with_mynumber)
        p.mynumber = make_mynumber(rng);
    p.pension_office = rng.digits(4);
    p.pension_serial = rng.digits(6);
    const auto pos = office.address.find("市");
    const std::string city = office.address.substr(0, pos == std::string::npos ? 9 : pos + 3);
    p.address = city + rng.pick(std::span<const char* const>(kTowns)) +
                fullwidth_number(rng.uniform(1, 9)) + "丁目" +
                fullwidth_number(rng.uniform(1, 30)) + "番地";
    return p;
}

}  // namespace sekisho::sim::filings

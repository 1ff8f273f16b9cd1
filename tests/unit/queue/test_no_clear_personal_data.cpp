// Nothing personal may be found in clear anywhere in the state directory: index, WAL,
// shared memory file and payloads, in UTF-8 or in CP932.

#include <iconv.h>

#include <catch2/catch.hpp>

#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::queue;

namespace {

std::string to_cp932(const std::string& utf8) {
    iconv_t cd = ::iconv_open("CP932", "UTF-8");
    REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
    std::string in = utf8;
    std::string out(in.size() * 2 + 16, '\0');
    char* inp = in.data();
    char* outp = out.data();
    std::size_t inleft = in.size();
    std::size_t outleft = out.size();
    const std::size_t rc = ::iconv(cd, &inp, &inleft, &outp, &outleft);
    ::iconv_close(cd);
    REQUIRE(rc != static_cast<std::size_t>(-1));
    out.resize(out.size() - outleft);
    return out;
}

const std::vector<std::string> kPersonal{
    "山田 太郎",    "ﾔﾏﾀﾞ ﾀﾛｳ",           "621498320257",
    "123456789018", "株式会社テスト商事", "東京都千代田区霞が関１－２－３",
    "ヤマダ"};

}  // namespace

TEST_CASE("no personal field appears in clear in the state directory", "[queue][privacy]") {
    test::QueueFixture f;
    std::vector<std::string> needles;
    for (const auto& p : kPersonal) {
        needles.push_back(p);
        const auto cp932 = to_cp932(p);
        if (cp932 != p)
            needles.push_back(cp932);
    }
    std::string csv;
    std::string meta = R"({"office":")";
    for (const auto& p : kPersonal) {
        csv += to_cp932(p) + ",";
        meta += p + " ";
    }
    meta += "\"}";
    for (int i = 0; i < 20; ++i) {
        const auto id =
            f.enqueue("20261124000" + std::to_string(1000 + i), csv + std::to_string(i), meta,
                      i % 2 ? "filing" : "HONNIN-RES", i % 2 ? "mynaportal" : "chukan")
                .id;
        f.q->transition(id, {State::inspecting});
        if (i % 2 == 1)
            continue;
        f.q->transition(
            id,
            {State::rejected, "state", "reject",
             R"([{"code":"E-MYNUMBER-NOT-ALLOWED","where":"KPFD0006.CSV:7","detail":"field 13"}])"});
    }
    // Half of them purged, so destroyed keys and freed pages are covered too.
    f.q->purge_expired({std::chrono::hours(1), std::chrono::milliseconds(0), std::chrono::hours(1)},
                       std::chrono::system_clock::now() + std::chrono::seconds(1));
    std::size_t files = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(f.dir.path() / "state")) {
        if (!entry.is_regular_file())
            continue;
        ++files;
        const std::string bytes = test::read_file(entry.path());
        for (const auto& needle : needles) {
            INFO(entry.path().filename() << " must not contain a personal field");
            CHECK(bytes.find(needle) == std::string::npos);
        }
    }
    CHECK(files >= 3);  // queue.db, its WAL, and at least the payloads left
}

// The ZIP container (spec §1) on packages written here with libarchive: layout, names,
// entry kinds, encryption, and the limits counted on inflated bytes.

#include <archive.h>
#include <archive_entry.h>
#include <catch2/catch.hpp>

#include <memory>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/zip_container.hpp"
#include "tests/sim/filings/zip_writer.hpp"

using namespace sekisho::inspect;
namespace sim = sekisho::sim::filings;

namespace {

const std::string kFolder = "950A00000000TEST(1)/";
constexpr std::uint64_t kMiB = 1024 * 1024;

std::vector<sim::ZipEntry> valid_entries() {
    return {{.path = kFolder, .directory = true},
            {.path = kFolder + "kousei.xml", .bytes = "<DataRoot/>"},
            {.path = kFolder + "495100022007001234_01.xml", .bytes = "<DataRoot/>"},
            {.path = kFolder + "KPFD0006.CSV", .bytes = "13,01,ｱｲｳ,001,20261124,22223\r\n"}};
}

std::vector<sim::ZipEntry> with(std::vector<sim::ZipEntry> entries, sim::ZipEntry extra) {
    entries.push_back(std::move(extra));
    return entries;
}

struct Result {
    std::optional<Package> package;
    Verdict verdict;
};

Result read(const std::string& zip, const Limits& limits = {}) {
    Result r;
    r.package = read_container(zip, limits, r.verdict);
    return r;
}

std::set<std::string> codes_of(const std::string& zip, const Limits& limits = {}) {
    return read(zip, limits).verdict.codes();
}

using Codes = std::set<std::string>;
const Codes kPath{"E-ZIP-PATH"};
const Codes kLimit{"E-ZIP-LIMIT"};
const Codes kCorrupt{"E-ZIP-CORRUPT"};
const Codes kStructure{"E-ZIP-STRUCTURE"};

// A ZIP with one symbolic link entry next to the valid files.
std::string zip_with_symlink() {
    std::unique_ptr<archive, int (*)(archive*)> a(archive_write_new(), archive_write_free);
    std::string out;
    archive_write_set_format_zip(a.get());
    archive_write_set_bytes_per_block(a.get(), 0);
    auto append = [](archive*, void* o, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(o)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
    };
    REQUIRE(archive_write_open(a.get(), &out, nullptr, append, nullptr) == ARCHIVE_OK);
    for (const auto& e : valid_entries()) {
        if (e.directory)
            continue;
        std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                       archive_entry_free);
        archive_entry_copy_pathname(entry.get(), e.path.c_str());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.bytes.size()));
        REQUIRE(archive_write_header(a.get(), entry.get()) == ARCHIVE_OK);
        archive_write_data(a.get(), e.bytes.data(), e.bytes.size());
    }
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> link(archive_entry_new(),
                                                                  archive_entry_free);
    archive_entry_copy_pathname(link.get(), (kFolder + "memo01.txt").c_str());
    archive_entry_set_filetype(link.get(), AE_IFLNK);
    archive_entry_set_perm(link.get(), 0777);
    archive_entry_copy_symlink(link.get(), "/etc/passwd");
    REQUIRE(archive_write_header(a.get(), link.get()) == ARCHIVE_OK);
    REQUIRE(archive_write_close(a.get()) == ARCHIVE_OK);
    return out;
}

std::uint16_t get_le16(const std::string& b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b.at(at)) |
                                      static_cast<unsigned char>(b.at(at + 1)) << 8);
}

// A second central directory entry, named `alias`, for the local header and data of
// `name` (both names of equal length): overlapping entries, the trick of non-recursive
// ZIP bombs.
std::string with_aliased_entry(const std::string& zip, const std::string& name,
                               const std::string& alias) {
    REQUIRE(name.size() == alias.size());
    const auto dir = sim::read_zip_directory(zip);
    const auto e = sim::find_zip_entry(dir, name);
    const std::size_t end = zip.rfind("PK\x05\x06");
    REQUIRE(end != std::string::npos);
    const std::size_t record_size =
        46 + name.size() + get_le16(zip, e.central + 30) + get_le16(zip, e.central + 32);
    std::string record = zip.substr(e.central, record_size);
    record.replace(46, alias.size(), alias);
    std::string out = zip.substr(0, end) + record + zip.substr(end);
    const std::size_t new_end = end + record.size();
    const auto count = static_cast<std::uint16_t>(get_le16(out, new_end + 10) + 1);
    for (const std::size_t at : {new_end + 8, new_end + 10}) {
        out[at] = static_cast<char>(count & 0xFF);
        out[at + 1] = static_cast<char>(count >> 8);
    }
    sim::put_le32(out, new_end + 12,
                  static_cast<std::uint32_t>(sim::get_le32(out, new_end + 12) + record.size()));
    return out;
}

}  // namespace

TEST_CASE("a valid container yields its folder and inflated files", "[zip]") {
    auto entries = valid_entries();
    entries.push_back({.path = kFolder + "attach01.pdf", .bytes = "%PDF-1.4 x", .store = true});
    const Result r = read(sim::write_zip(entries, {}));
    CHECK(r.verdict.accepted());
    REQUIRE(r.package);
    CHECK(r.package->folder == "950A00000000TEST(1)");
    CHECK(r.package->procedure_id == "950A00000000TEST");
    REQUIRE(r.package->entries.size() == 4);
    CHECK(r.package->entries[0].name == "kousei.xml");
    CHECK(r.package->entries[3].name == "attach01.pdf");
    REQUIRE(r.package->find("KPFD0006.CSV") != nullptr);
    CHECK(r.package->find("KPFD0006.CSV")->bytes == entries[3].bytes);
    CHECK(r.package->find("kpfd0006.csv") == nullptr);
}

TEST_CASE("a container without the folder directory entry is read the same", "[zip]") {
    auto entries = valid_entries();
    entries.erase(entries.begin());
    const Result r = read(sim::write_zip(entries, {}));
    CHECK(r.verdict.accepted());
    REQUIRE(r.package);
    CHECK(r.package->entries.size() == 3);
}

TEST_CASE("illegal entry names are E-ZIP-PATH and nothing else", "[zip][path]") {
    const std::string name = GENERATE(
        as<std::string>{}, "../../../tmp/evil.txt", "950A00000000TEST(1)/../../evil.txt",
        "/etc/cron.d/evil", "950A00000000TEST(1)/..\\..\\evil.txt",
        "950A00000000TEST(1)/資料01.pdf", "950A00000000TEST(1)/a b.pdf",
        "950A00000000TEST(1)//x.pdf", "950A00000000TEST(1)/./x.pdf", "950A00000000TEST(1)/x:y.pdf");
    INFO(name);
    const Result r = read(sim::write_zip(with(valid_entries(), {.path = name, .bytes = "x"}), {}));
    CHECK(r.verdict.codes() == kPath);
    CHECK_FALSE(r.package);
}

TEST_CASE("entry names are at most 64 characters", "[zip][path]") {
    const std::string ok = kFolder + std::string(60, 'a') + ".pdf";
    const std::string too_long = kFolder + std::string(61, 'a') + ".pdf";
    CHECK_FALSE(codes_of(sim::write_zip(with(valid_entries(), {.path = ok, .bytes = "%PDF-"}),
                                        {})) == kPath);
    CHECK(codes_of(sim::write_zip(with(valid_entries(), {.path = too_long, .bytes = "%PDF-"}),
                                  {})) == kPath);
}

TEST_CASE("names equal ignoring case are E-ZIP-PATH", "[zip][path]") {
    auto entries = with(valid_entries(), {.path = kFolder + "memo01.txt", .bytes = "a"});
    entries.push_back({.path = kFolder + "Memo01.txt", .bytes = "b"});
    CHECK(codes_of(sim::write_zip(entries, {})) == kPath);
}

TEST_CASE("a symbolic link entry is E-ZIP-PATH", "[zip][path]") {
    const Result r = read(zip_with_symlink());
    CHECK(r.verdict.codes() == kPath);
    CHECK_FALSE(r.package);
}

TEST_CASE("encrypted entries are E-ZIP-ENCRYPTED", "[zip][encrypted]") {
    const auto how = GENERATE(sim::ZipEncryption::zipcrypt, sim::ZipEncryption::aes256);
    const Result r = read(sim::write_zip(valid_entries(), {.encryption = how}));
    CHECK(r.verdict.codes() == Codes{"E-ZIP-ENCRYPTED"});
    CHECK_FALSE(r.package);
}

TEST_CASE("a ZIP bomb stops at the total limit while inflating", "[zip][limit]") {
    // 72 MiB of zeros deflate to about 70 KiB; the ratio limit is lifted to reach the total.
    Limits limits;
    limits.max_ratio = 1'000'000;
    const std::string zeros(kMiB, '\0');
    const std::string zip = sim::write_zip(
        with(valid_entries(), {.path = kFolder + "memo01.txt", .bytes = zeros, .repeat = 72}), {});
    CHECK(zip.size() < kMiB);
    const Result r = read(zip, limits);
    CHECK(r.verdict.codes() == kLimit);
    CHECK_FALSE(r.package);
    limits.max_uncompressed = 80 * kMiB;
    CHECK(read(zip, limits).verdict.accepted());
}

TEST_CASE("header sizes that lie do not lift the limits", "[zip][limit]") {
    Limits limits;
    limits.max_ratio = 1'000'000;
    limits.max_uncompressed = 4 * kMiB;
    std::string zip = sim::write_zip(
        with(valid_entries(),
             {.path = kFolder + "memo01.txt", .bytes = std::string(kMiB, ' '), .repeat = 8}),
        {});
    const auto dir = sim::read_zip_directory(zip);
    const auto e = sim::find_zip_entry(dir, kFolder + "memo01.txt");
    sim::put_le32(zip, e.central + 24, 1024);  // uncompressed size in the central directory
    CHECK(read(zip, limits).verdict.codes() == kLimit);
}

TEST_CASE("the compression ratio is limited per entry", "[zip][limit]") {
    const std::string zip = sim::write_zip(
        with(valid_entries(),
             {.path = kFolder + "memo01.txt", .bytes = std::string(kMiB, ' '), .repeat = 2}),
        {});
    CHECK(codes_of(zip) == kLimit);
    Limits lifted;
    lifted.max_ratio = 100'000;
    CHECK(codes_of(zip, lifted).empty());
}

TEST_CASE("KPFD0006.CSV, the package and the entry count have their limits", "[zip][limit]") {
    const std::string zip = sim::write_zip(valid_entries(), {});
    Limits csv;
    csv.max_csv = 10;
    CHECK(codes_of(zip, csv) == kLimit);
    Limits package;
    package.max_package = zip.size() - 1;
    CHECK(codes_of(zip, package) == kLimit);
    Limits entries;
    entries.max_entries = 3;  // four entries with the folder's own
    CHECK(codes_of(zip, entries) == kLimit);
    entries.max_entries = 4;
    CHECK(codes_of(zip, entries).empty());
}

TEST_CASE("unreadable containers are E-ZIP-CORRUPT", "[zip][corrupt]") {
    std::string zip = sim::write_zip(valid_entries(), {});
    SECTION("truncated") {
        zip.resize(zip.size() * 3 / 5);
    }
    SECTION("not a ZIP") {
        zip = "PK\x03\x04" + std::string(4000, '\x5A');
    }
    SECTION("empty") {
        zip.clear();
    }
    SECTION("CRC mismatch in a stored entry") {
        auto entries = valid_entries();
        entries.back().store = true;
        zip = sim::write_zip(entries, {});
        const auto e = sim::find_zip_entry(sim::read_zip_directory(zip), kFolder + "KPFD0006.CSV");
        zip[e.data + 3] ^= 0x01;
    }
    SECTION("CRC mismatch in a deflated entry") {
        const auto e = sim::find_zip_entry(sim::read_zip_directory(zip), kFolder + "kousei.xml");
        const auto crc = sim::get_le32(zip, e.central + 16);
        sim::put_le32(zip, e.central + 16, crc ^ 1);
        const std::size_t desc = e.data + e.compressed;
        const std::size_t at = desc + (sim::get_le32(zip, desc) == 0x08074b50 ? 4 : 0);
        sim::put_le32(zip, at, crc ^ 1);  // the data descriptor agrees with the directory
    }
    SECTION("central directory and local header name different entries") {
        const auto e = sim::find_zip_entry(sim::read_zip_directory(zip), kFolder + "kousei.xml");
        REQUIRE(zip.substr(e.local + 30 + kFolder.size(), 6) == "kousei");
        zip[e.local + 30 + kFolder.size()] = 'h';  // local header: "housei.xml"
    }
    SECTION("compression other than stored or deflate") {
        const auto e = sim::find_zip_entry(sim::read_zip_directory(zip), kFolder + "kousei.xml");
        REQUIRE(get_le16(zip, e.central + 10) == 8);
        zip[e.central + 10] = 12;  // bzip2
        zip[e.local + 8] = 12;
    }
    SECTION("compressed size in the central directory larger than the data") {
        const auto e = sim::find_zip_entry(sim::read_zip_directory(zip), kFolder + "kousei.xml");
        sim::put_le32(zip, e.central + 20, e.compressed + 50);
    }
    SECTION("two central directory entries share one local header") {
        zip = with_aliased_entry(zip, kFolder + "kousei.xml", kFolder + "kousei.txt");
    }
    const Result r = read(zip);
    INFO(r.verdict.reasons().front().detail);
    CHECK(r.verdict.codes() == kCorrupt);
    CHECK_FALSE(r.package);
}

TEST_CASE("the folder layout is E-ZIP-STRUCTURE", "[zip][structure]") {
    std::vector<sim::ZipEntry> entries;
    SECTION("files at the top level") {
        for (auto e : valid_entries()) {
            if (!e.directory)
                entries.push_back({.path = e.path.substr(kFolder.size()), .bytes = e.bytes});
        }
    }
    SECTION("two top-level folders") {
        entries = with(valid_entries(), {.path = "950A00000000TEST(2)/x.pdf", .bytes = "%PDF-"});
    }
    SECTION("folder names that are not <procedure_id>(<n>)") {
        const std::string folder =
            GENERATE(as<std::string>{}, "950a00000000test(1)", "950A0000000TEST(1)",
                     "950A00000000TEST(0)", "950A00000000TEST(100)", "950A00000000TEST",
                     "950A00000000TEST(01)", "950A00000000TEST()");
        INFO(folder);
        for (auto e : valid_entries())
            entries.push_back({.path = folder + "/" + e.path.substr(kFolder.size()),
                               .bytes = e.bytes,
                               .directory = e.directory});
    }
    const Result r = read(sim::write_zip(entries, {}));
    CHECK(r.verdict.codes() == kStructure);
    CHECK_FALSE(r.package);
}

TEST_CASE("a nested folder is E-ZIP-STRUCTURE and its files are left out", "[zip][structure]") {
    auto entries = with(valid_entries(), {.path = kFolder + "sub/", .directory = true});
    entries.push_back({.path = kFolder + "sub/attach01.pdf", .bytes = "%PDF-"});
    const Result r = read(sim::write_zip(entries, {}));
    CHECK(r.verdict.codes() == kStructure);
    REQUIRE(r.package);
    CHECK(r.package->entries.size() == 3);
    CHECK(r.package->find("attach01.pdf") == nullptr);
}

TEST_CASE("verdicts never echo an illegal entry name", "[zip][path]") {
    const std::string name = kFolder + "621498320257資料.pdf";
    const Result r = read(sim::write_zip(with(valid_entries(), {.path = name, .bytes = "x"}), {}));
    REQUIRE_FALSE(r.verdict.accepted());
    for (const auto& reason : r.verdict.reasons()) {
        CHECK(reason.where.find("621498320257") == std::string::npos);
        CHECK(reason.detail.find("621498320257") == std::string::npos);
    }
}

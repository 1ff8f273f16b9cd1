// Content against extension (spec §1): magic bytes, CP932 text, no archives or executables.

#include <catch2/catch.hpp>

#include "daemon/inspect/content_types.hpp"
#include "daemon/inspect/reason_codes.hpp"
#include "tests/sim/filings/zip_writer.hpp"

using namespace sekisho::inspect;
namespace sim = sekisho::sim::filings;

namespace {

const std::string kPdf = "%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n";
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + "\xFF\xD9";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16);
const std::string kText = "\x98\x41\x97\x8D\x8E\x96\x8D\x80\r\n";  // 連絡事項 in CP932
const std::string kExe = std::string("MZ\x90\x00\x03\x00\x00\x00", 8) + "This program";

Verdict check_one(const std::string& name, const std::string& bytes) {
    Package p;
    p.folder = "950A00000000TEST(1)";
    p.procedure_id = "950A00000000TEST";
    p.entries.push_back({name, bytes});
    Verdict v;
    check_content_types(p, v);
    return v;
}

bool mismatch(const std::string& name, const std::string& bytes) {
    const Verdict v = check_one(name, bytes);
    return v.codes() == std::set<std::string>{"E-TYPE-MISMATCH"};
}

}  // namespace

TEST_CASE("attachments whose magic bytes match their extension pass", "[types]") {
    CHECK(check_one("attach01.pdf", kPdf).accepted());
    CHECK(check_one("photo01.jpg", kJpeg).accepted());
    CHECK(check_one("scan01.png", kPng).accepted());
    CHECK(check_one("memo01.txt", kText).accepted());
    CHECK(check_one("memo02.txt", "").accepted());
}

TEST_CASE("content of another type is E-TYPE-MISMATCH", "[types]") {
    CHECK(mismatch("attach01.pdf", kJpeg));
    CHECK(mismatch("photo01.jpg", kPdf));
    CHECK(mismatch("scan01.png", kJpeg));
    CHECK(mismatch("scan01.png", std::string("\x89PNG", 4)));
    CHECK(mismatch("attach01.pdf", ""));
}

TEST_CASE("archives and executables are refused whatever their extension", "[types]") {
    const std::string zip = sim::write_zip({{.path = "inner.txt", .bytes = "x"}}, {});
    CHECK(mismatch("memo01.txt", zip));
    CHECK(mismatch("scan01.png", kExe));
    CHECK(mismatch("KPFD0006.CSV", zip));
    CHECK(mismatch("495100022007001234_01.xml", std::string("\x7F"
                                                            "ELF\x02\x01\x01",
                                                            7)));
    CHECK(mismatch("attach01.pdf", std::string("\x1F\x8B\x08\x00", 4) + kPdf));
    CHECK(mismatch("memo01.txt", std::string("Rar!\x1A\x07\x01\x00", 8)));
    CHECK(mismatch("memo01.txt", "7z\xBC\xAF\x27\x1C"));
}

TEST_CASE(".txt must be CP932 without NUL bytes", "[types]") {
    CHECK(mismatch("memo01.txt", std::string("abc\0def", 7)));
    CHECK(mismatch("memo01.txt", "\x82"));              // lead byte without its trail byte
    CHECK(mismatch("memo01.txt", "\xE9\x80\xA3\xE7"));  // UTF-8 連 and a cut one
}

TEST_CASE("file types outside pdf, jpg, png and txt are refused", "[types]") {
    CHECK(mismatch("setup.exe", "hello"));
    CHECK(mismatch("data.docx", "hello"));
    CHECK(mismatch("noextension", "hello"));
    CHECK(mismatch("attach01.PDF", kPdf));
}

TEST_CASE("the XML files and the CSV are left to their own parsers", "[types]") {
    CHECK(check_one("kousei.xml", "not xml at all").accepted());
    CHECK(check_one("495100022007001234_01.xml", "<DataRoot/>").accepted());
    CHECK(check_one("KPFD0006.CSV", std::string("a\0b", 3)).accepted());
}

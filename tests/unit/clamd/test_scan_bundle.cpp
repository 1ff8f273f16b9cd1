#include <archive.h>
#include <archive_entry.h>

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "adapters/clamd/scan_bundle.hpp"

using namespace sekisho::clamd;

namespace {

// The bundle's members, read back with libarchive: (name, bytes) in order.
std::vector<std::pair<std::string, std::string>> members(const std::string& bundle) {
    std::vector<std::pair<std::string, std::string>> out;
    archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    REQUIRE(archive_read_open_memory(a, bundle.data(), bundle.size()) == ARCHIVE_OK);
    archive_entry* e = nullptr;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        std::string bytes(static_cast<std::size_t>(archive_entry_size(e)), '\0');
        if (!bytes.empty())
            REQUIRE(archive_read_data(a, bytes.data(), bytes.size()) ==
                    static_cast<la_ssize_t>(bytes.size()));
        out.emplace_back(archive_entry_pathname(e), std::move(bytes));
    }
    archive_read_free(a);
    return out;
}

}  // namespace

TEST_CASE("a bundle holds the package and then every entry, named by position", "[clamd]") {
    const std::string package = "PK\x03\x04 the package";
    const std::string csv(1000, 'c');
    const std::string empty;
    const std::vector<Entry> entries{
        {"kousei.xml", "<kousei/>"}, {"KPFD0006.CSV", csv}, {"empty.txt", empty}};
    const std::string bundle = make_bundle(package, entries);
    CHECK(bundle.size() == bundle_size(package, entries));
    CHECK(bundle.size() % 512 == 0);
    const auto m = members(bundle);
    REQUIRE(m.size() == 4);
    CHECK(m[0] == std::pair<std::string, std::string>{"0", package});
    CHECK(m[1] == std::pair<std::string, std::string>{"1", "<kousei/>"});
    CHECK(m[2] == std::pair<std::string, std::string>{"2", csv});
    CHECK(m[3] == std::pair<std::string, std::string>{"3", ""});
    // The filer's names stay out of the stream.
    CHECK(bundle.find("kousei.xml") == std::string::npos);
    CHECK(bundle.find("KPFD0006") == std::string::npos);
}

TEST_CASE("the archive canary holds the EICAR test file only inside a ZIP member", "[clamd]") {
    const std::string canary = archive_canary();
    const auto m = members(canary);
    REQUIRE(m.size() == 2);
    CHECK(m[0].second.empty());
    CHECK(m[1].second.starts_with("PK\x03\x04"));
    // Deflated: no run of the test file's bytes is in the stream for a raw scan to match.
    CHECK(canary.find("EICAR") == std::string::npos);
    CHECK(canary.find("X5O!P") == std::string::npos);
    archive* a = archive_read_new();
    archive_read_support_format_zip(a);
    REQUIRE(archive_read_open_memory(a, m[1].second.data(), m[1].second.size()) == ARCHIVE_OK);
    archive_entry* e = nullptr;
    REQUIRE(archive_read_next_header(a, &e) == ARCHIVE_OK);
    std::string eicar(68, '\0');
    CHECK(archive_read_data(a, eicar.data(), eicar.size()) == 68);
    archive_read_free(a);
    CHECK(eicar.starts_with("X5O!P%@AP"));
    CHECK(eicar.ends_with("-TEST-FILE!$H+H*"));
}

TEST_CASE("bundle_size is exact for sizes around a tar block", "[clamd]") {
    for (const std::size_t n : {0u, 1u, 511u, 512u, 513u, 1024u, 100000u}) {
        const std::string bytes(n, 'x');
        const std::vector<Entry> entries{{"e", bytes}};
        CHECK(make_bundle(bytes, entries).size() == bundle_size(bytes, entries));
    }
}

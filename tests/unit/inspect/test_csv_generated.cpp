// Every KPFD0006.CSV written by the real generator (sekisho-sim make-filings --invalid) against
// the reason codes its sidecar expects: the CSV's own codes from check_csv, a stray 個人番号 in
// a .txt attachment or the 申請書XML from contains_mynumber (the orchestrator's share), and
// nothing at all for the valid packages of all five forms.

#include <archive.h>
#include <archive_entry.h>

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "daemon/inspect/cp932.hpp"
#include "daemon/inspect/csv_file.hpp"
#include "daemon/inspect/mynumber.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using sekisho::inspect::TextEncoding;

// The codes a KPFD0006.CSV or a stray number in text can earn.
const std::set<std::string> kTextCodes{
    "E-CSV-ENCODING", "E-CSV-STRUCTURE",       "E-CSV-FORM",
    "E-CSV-FIELD",    "E-MYNUMBER-CHECKDIGIT", "E-MYNUMBER-NOT-ALLOWED"};

// Files of the ZIP by path; nullopt when libarchive cannot read it completely.
std::optional<std::map<std::string, std::string>> read_zip(const std::string& zip) {
    std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
        return std::nullopt;
    std::map<std::string, std::string> out;
    archive_entry* e = nullptr;
    std::uint64_t total = 0;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
        std::string bytes;
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) {
            total += static_cast<std::uint64_t>(n);
            if (total > (96ull << 20))
                return std::nullopt;
            bytes.append(buf, static_cast<std::size_t>(n));
        }
        if (n < 0)
            return std::nullopt;
        out[archive_entry_pathname(e)] = std::move(bytes);
    }
    if (status != ARCHIVE_EOF)
        return std::nullopt;
    return out;
}

struct Package {
    std::string id;
    std::string description;
    std::set<std::string> codes;  // expected for the whole package
    std::vector<std::string> forms;
    std::optional<std::map<std::string, std::string>> files;  // by path
    std::string folder;

    const std::string* file(const std::string& name) const {
        if (!files)
            return nullptr;
        const auto it = files->find(folder + name);
        return it == files->end() ? nullptr : &it->second;
    }
    bool expects_prefix(std::string_view prefix) const {
        for (const auto& c : codes) {
            if (c.starts_with(prefix))
                return true;
        }
        return false;
    }
};

std::vector<Package> generate(const fs::path& out, const fs::path& ca) {
    const auto done = sekisho::test::run(
        {sekisho::test::program("sekisho-sim").string(), "make-filings", "--out", out.string(),
         "--ca-dir", ca.string(), "--count", "10", "--invalid", "--seed", "5"});
    INFO(done.err);
    REQUIRE(done.exit_code == 0);
    std::vector<Package> packages;
    for (const auto& f : fs::directory_iterator(out)) {
        if (f.path().extension() != ".json")
            continue;
        const json::object meta = json::parse(sekisho::test::read_file(f.path())).as_object();
        Package p;
        p.id = f.path().stem().string();
        p.description = std::string(meta.at("description").as_string());
        for (const auto& c : meta.at("expect").at("codes").as_array())
            p.codes.insert(std::string(c.as_string()));
        for (const auto& c : meta.at("form_codes").as_array())
            p.forms.emplace_back(c.as_string());
        p.folder = std::string(meta.at("procedure_id").as_string()) + "(1)/";
        fs::path zip = f.path();
        p.files = read_zip(sekisho::test::read_file(zip.replace_extension(".zip")));
        packages.push_back(std::move(p));
    }
    return packages;
}

// 届書件数 of the 申請書XML by 様式コード, read from the generator's fixed spelling.
std::map<std::string, long> xml_counts(const std::string& xml) {
    static const std::string open = "<届書件数 様式コード=\"";
    std::map<std::string, long> out;
    for (auto pos = xml.find(open); pos != std::string::npos; pos = xml.find(open, pos)) {
        pos += open.size();
        const auto quote = xml.find("\">", pos);
        const auto close = xml.find("</届書件数>", quote);
        REQUIRE(close != std::string::npos);
        out[xml.substr(pos, quote - pos)] = std::stol(xml.substr(quote + 2, close - quote - 2));
    }
    return out;
}

// NOT-ALLOWED from a .txt attachment (CP932 text) or the 申請書XML (UTF-8) of the package.
bool stray_in_other_files(const Package& p) {
    bool found = false;
    for (const auto& [path, bytes] : *p.files) {
        const bool txt = path.ends_with(".txt") && sekisho::inspect::valid_cp932(bytes);
        const bool form_xml = path.ends_with("_01.xml");
        if (txt && sekisho::inspect::contains_mynumber(bytes, TextEncoding::cp932))
            found = true;
        if (form_xml && sekisho::inspect::contains_mynumber(bytes, TextEncoding::utf8))
            found = true;
    }
    return found;
}

std::set<std::string> only_text_codes(const std::set<std::string>& codes) {
    std::set<std::string> out;
    for (const auto& c : codes) {
        if (kTextCodes.contains(c))
            out.insert(c);
    }
    return out;
}

}  // namespace

TEST_CASE("every generated KPFD0006.CSV earns exactly the codes its sidecar expects") {
    const sekisho::test::TempDir dir;
    const auto packages = generate(dir / "out", dir / "ca");
    REQUIRE(packages.size() > 60);
    std::map<std::string, int> seen;  // expected text codes met, and valid forms
    std::set<std::string> valid_forms;
    for (const auto& p : packages) {
        INFO(p.id << ": " << p.description);
        // A container that cannot be read, or a CSV bit-flipped in it, never reaches check_csv.
        if (p.codes.contains("E-ZIP-CORRUPT") || p.codes.contains("E-ZIP-ENCRYPTED"))
            continue;
        if (!p.files) {
            CHECK(p.expects_prefix("E-ZIP-"));  // e.g. sizes in the headers that lie
            continue;
        }
        const std::string* csv = p.file("KPFD0006.CSV");
        if (csv == nullptr) {
            CHECK(p.expects_prefix("E-ZIP-"));  // a package laid out wrongly on purpose
            continue;
        }
        sekisho::inspect::Verdict verdict;
        const auto summary = sekisho::inspect::check_csv(*csv, {}, verdict);
        std::set<std::string> got = verdict.codes();
        if (stray_in_other_files(p))
            got.insert("E-MYNUMBER-NOT-ALLOWED");
        INFO(sekisho::inspect::to_json(verdict));
        const auto expected = only_text_codes(p.codes);
        CHECK(got == expected);
        for (const auto& c : expected)
            ++seen[c];
        if (p.codes.empty()) {
            valid_forms.insert(p.forms.begin(), p.forms.end());
            ++seen["valid"];
        }
        // The counts agree with the 申請書XML exactly when the package does not say otherwise.
        const std::string* xml = nullptr;
        for (const auto& [path, bytes] : *p.files) {
            if (path.ends_with("_01.xml"))
                xml = &bytes;
        }
        if (summary.readable && xml != nullptr && !p.expects_prefix("E-XML-"))
            CHECK((summary.counts == xml_counts(*xml)) == !p.codes.contains("E-CSV-COUNT"));
    }
    CHECK(valid_forms ==
          std::set<std::string>{"2200700", "2201700", "2221700", "2225700", "2265700"});
    CHECK(seen["valid"] >= 10);
    for (const auto& c : kTextCodes) {
        INFO(c);
        CHECK(seen[c] >= 2);  // the generator's cases for this code were really checked
    }
}

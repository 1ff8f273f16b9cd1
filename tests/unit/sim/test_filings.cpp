// sekisho-sim make-filings, run in-process: output layout, valid packages (structure, XSDs,
// CSV, 個人番号 policy, XML signatures checked with the xmlsec1 command), and the invalid
// set (every reason code at least twice, attack inputs present).

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/sim/filings/form_records.hpp"
#include "tests/sim/filings/text_encoding.hpp"
#include "tests/support/temp_dir.hpp"

int make_filings_main(int, char**);

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using sekisho::test::TempDir;

constexpr std::string_view kEicar = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE";
constexpr std::string_view kXmlsec1 = "/usr/bin/xmlsec1";

// --- running the generator -------------------------------------------------------------------

int make_filings(std::vector<std::string> args) {
    args.insert(args.begin(), "make-filings");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return make_filings_main(static_cast<int>(args.size()), argv.data());
}

struct Entry {
    std::string name;
    std::string bytes;
    bool directory = false;
};

struct Package {
    fs::path zip;
    std::string bytes;
    json::object meta;
    std::vector<Entry> entries;  // empty when the ZIP cannot be read

    std::vector<std::string> codes() const {
        std::vector<std::string> out;
        for (const auto& c : meta.at("expect").at("codes").as_array())
            out.emplace_back(c.as_string());
        return out;
    }
    bool valid() const { return codes().empty(); }
    std::string folder() const { return std::string(meta.at("procedure_id").as_string()) + "(1)/"; }
    // A file of the folder, by name inside the folder.
    const std::string* file(std::string_view name) const {
        for (const auto& e : entries) {
            if (e.name == folder() + std::string(name))
                return &e.bytes;
        }
        return nullptr;
    }
};

// Entries of a ZIP, or empty when libarchive cannot read it completely (corrupt, encrypted).
// `max_bytes` bounds what is inflated: the bombs are counted, not kept.
std::vector<Entry> read_zip(const std::string& zip, std::uint64_t max_bytes = 64ull << 20) {
    std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
        return {};
    std::vector<Entry> out;
    archive_entry* e = nullptr;
    std::uint64_t total = 0;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
        Entry entry{archive_entry_pathname(e), "", archive_entry_filetype(e) == AE_IFDIR};
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) {
            total += static_cast<std::uint64_t>(n);
            if (total > max_bytes)
                return {};
            entry.bytes.append(buf, static_cast<std::size_t>(n));
        }
        if (n < 0)
            return {};
        out.push_back(std::move(entry));
    }
    return out;
}

// Bytes the entries of `zip` inflate to, counted while inflating.
std::uint64_t inflated_size(const std::string& zip) {
    std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    REQUIRE(archive_read_open_memory(a.get(), zip.data(), zip.size()) == ARCHIVE_OK);
    archive_entry* e = nullptr;
    std::uint64_t total = 0;
    static char buf[1 << 16];
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
        la_ssize_t n;
        while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0)
            total += static_cast<std::uint64_t>(n);
    }
    return total;
}

std::vector<Package> load_packages(const fs::path& dir) {
    std::vector<Package> out;
    for (const auto& f : fs::directory_iterator(dir)) {
        if (f.path().extension() != ".json")
            continue;
        Package p;
        p.meta = json::parse(sekisho::test::read_file(f.path())).as_object();
        p.zip = f.path();
        p.zip.replace_extension(".zip");
        p.bytes = sekisho::test::read_file(p.zip);
        p.entries = read_zip(p.bytes);
        out.push_back(std::move(p));
    }
    return out;
}

struct Run {
    TempDir dir;
    fs::path out() const { return dir / "out"; }
    fs::path ca() const { return dir / "ca"; }
    std::vector<Package> packages;
};

std::unique_ptr<Run> generate(bool invalid, int count = 10) {
    auto run = std::make_unique<Run>();
    std::vector<std::string> args{"--out",   run->out(), "--ca-dir",
                                  run->ca(), "--count",  std::to_string(count),
                                  "--seed",  "7"};
    if (invalid)
        args.push_back("--invalid");
    REQUIRE(make_filings(args) == 0);
    run->packages = load_packages(run->out());
    return run;
}

// --- checks on content -----------------------------------------------------------------------

// 個人番号 check digit, written independently of the generator's.
bool mynumber_ok(std::string_view n) {
    if (n.size() != 12 || n.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    int sum = 0;
    for (int i = 1; i <= 11; ++i)
        sum += (n[static_cast<std::size_t>(11 - i)] - '0') * (i <= 6 ? i + 1 : i - 5);
    const int r = sum % 11;
    return n[11] - '0' == (r <= 1 ? 0 : 11 - r);
}

// A run of exactly 12 digits with a valid check digit.
bool has_mynumber_run(std::string_view text) {
    static const std::regex run("(^|[^0-9])([0-9]{12})(?![0-9])");
    const std::string s(text);
    for (std::sregex_iterator it(s.begin(), s.end(), run), end; it != end; ++it) {
        if (mynumber_ok((*it)[2].str()))
            return true;
    }
    return false;
}

bool schema_valid(const char* xsd_name, const std::string& xml) {
    const fs::path xsd = fs::path(SEKISHO_SOURCE_DIR) / "daemon/inspect/schema" / xsd_name;
    std::unique_ptr<xmlSchemaParserCtxt, void (*)(xmlSchemaParserCtxtPtr)> pctx(
        xmlSchemaNewParserCtxt(xsd.c_str()), xmlSchemaFreeParserCtxt);
    std::unique_ptr<xmlSchema, void (*)(xmlSchemaPtr)> schema(xmlSchemaParse(pctx.get()),
                                                              xmlSchemaFree);
    REQUIRE(schema != nullptr);
    std::unique_ptr<xmlSchemaValidCtxt, void (*)(xmlSchemaValidCtxtPtr)> vctx(
        xmlSchemaNewValidCtxt(schema.get()), xmlSchemaFreeValidCtxt);
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET),
        xmlFreeDoc);
    return doc != nullptr && xmlSchemaValidateDoc(vctx.get(), doc.get()) == 0;
}

// 届書件数 of a 申請書XML: 様式コード -> count.
std::map<std::string, int> declared_counts(const std::string& xml) {
    static const std::regex count("<届書件数 様式コード=\"([0-9]{7})\">([0-9]+)</届書件数>");
    std::map<std::string, int> out;
    for (std::sregex_iterator it(xml.begin(), xml.end(), count), end; it != end; ++it)
        out[(*it)[1].str()] = std::stoi((*it)[2].str());
    return out;
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size())
        out.push_back(s.substr(start, at - start));
    out.push_back(s.substr(start));
    return out;
}

// A real date inside the era (spec §4 common rules).
bool era_date_ok(const std::string& era, const std::string& yymmdd) {
    using namespace std::chrono;
    static const std::map<std::string, std::pair<sys_days, int>> kEras{
        {"1", {sys_days(year(1868) / 10 / 23), 1868}},
        {"3", {sys_days(year(1912) / 7 / 30), 1912}},
        {"5", {sys_days(year(1926) / 12 / 25), 1926}},
        {"7", {sys_days(year(1989) / 1 / 8), 1989}},
        {"9", {sys_days(year(2019) / 5 / 1), 2019}}};
    static const std::map<std::string, sys_days> kEnds{{"1", sys_days(year(1912) / 7 / 29)},
                                                       {"3", sys_days(year(1926) / 12 / 24)},
                                                       {"5", sys_days(year(1989) / 1 / 7)},
                                                       {"7", sys_days(year(2019) / 4 / 30)},
                                                       {"9", sys_days(year(2999) / 12 / 31)}};
    if (!kEras.contains(era) || yymmdd.size() != 6)
        return false;
    const int yy = std::stoi(yymmdd.substr(0, 2));
    const year_month_day d{year(kEras.at(era).second + yy - 1),
                           month(static_cast<unsigned>(std::stoi(yymmdd.substr(2, 2)))),
                           day(static_cast<unsigned>(std::stoi(yymmdd.substr(4, 2))))};
    return yy >= 1 && d.ok() && sys_days(d) >= kEras.at(era).first && sys_days(d) <= kEnds.at(era);
}

bool halfwidth_kana_name(const std::string& cp932) {
    if (cp932.empty() || cp932.size() > 25 || std::count(cp932.begin(), cp932.end(), ' ') != 1)
        return false;
    return std::all_of(cp932.begin(), cp932.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b == ' ' || (b >= 0xA6 && b <= 0xDF);
    });
}

long num(const std::string& s) {
    return std::stol(s);
}

void check_sums(const std::vector<std::string>& f) {
    const std::string& form = f[0];
    if (form == "2200700") {
        CHECK(num(f[22]) == num(f[18]) + num(f[19]));
        CHECK(num(f[22]) >= 1000);
    } else if (form == "2265700") {
        CHECK(num(f[13]) == (num(f[11]) + num(f[12])) / 1000 * 1000);
    } else if (form == "2221700" || form == "2225700") {
        long total = 0;
        for (std::size_t m = 0; m < 3; ++m) {
            const std::size_t n = 14 + m * 5;  // 0-based 支給月
            CHECK(num(f[n + 4]) == num(f[n + 2]) + num(f[n + 3]));
            total += num(f[n + 4]);
        }
        CHECK(num(f[29]) == total);
        CHECK(num(f[30]) == total / 3);
    }
}

// Position (0-based) of 氏名カナ and of the birth date's 元号.
std::size_t kana_index(const std::string& form) {
    return form == "2200700" || form == "2201700" ? 6 : 5;
}

void check_record(const std::vector<std::string>& raw, const std::vector<std::string>& office) {
    using namespace sekisho::sim::filings;
    const std::string& form = raw.at(0);
    REQUIRE(field_count(form) == raw.size());
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(raw[i + 1] == office[i]);
    const std::size_t k = kana_index(form);
    CHECK(halfwidth_kana_name(raw[k]));
    CHECK(raw[k + 1].size() <= 24);
    CHECK(era_date_ok(raw[k + 2], raw[k + 3]));
    const std::string& mynumber = raw[mynumber_field(form) - 1];
    if (!mynumber.empty()) {
        CHECK(mynumber_ok(mynumber));
        CHECK(mynumber_allowed(form));
    }
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i != mynumber_field(form) - 1)
            CHECK_FALSE(has_mynumber_run(raw[i]));
    }
    check_sums(raw);
}

// KPFD0006.CSV: CP932, CRLF, header lines, records; returns the count per form.
std::map<std::string, int> check_csv(const std::string& cp932) {
    REQUIRE(sekisho::sim::filings::cp932_to_utf8(cp932).has_value());
    REQUIRE(cp932.find('\0') == std::string::npos);
    REQUIRE(cp932.ends_with("\r\n"));
    REQUIRE_FALSE(cp932.ends_with("\r\n\r\n"));
    auto lines = split(cp932.substr(0, cp932.size() - 2), "\r\n");
    for (const auto& l : lines)
        REQUIRE(l.find_first_of("\r\n") == std::string::npos);  // no bare CR or LF
    REQUIRE(lines.size() >= 6);
    CHECK(split(lines[0], ",").size() == 6);
    CHECK(lines[0].ends_with(",22223"));
    CHECK(lines[1] == "[kanri]");
    CHECK(lines[2] == ",001");
    const auto office = split(lines[3], ",");
    CHECK(office.size() == 12);
    CHECK(lines[4] == "[data]");
    std::map<std::string, int> counts;
    for (std::size_t i = 5; i < lines.size(); ++i) {
        const auto fields = split(lines[i], ",");
        check_record(fields, office);
        ++counts[fields[0]];
    }
    return counts;
}

// --- signatures ------------------------------------------------------------------------------

// Exit code of `args` run in `dir` (output discarded), with the xmlsec ID shim preloaded.
int run_xmlsec1(const fs::path& dir, std::vector<std::string> args) {
    args.insert(args.begin(), std::string(kXmlsec1));
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int devnull = ::open("/dev/null", O_WRONLY);
        if (::chdir(dir.c_str()) != 0 || devnull < 0)
            _exit(126);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::setenv("LD_PRELOAD", SEKISHO_XMLSEC_ID_SHIM, 1);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Extracts the folder of `p` into `dir` and runs xmlsec1 --verify on its kousei.xml.
int xmlsec1_verify(const Package& p, const fs::path& dir, const std::vector<std::string>& trust) {
    fs::create_directories(dir);
    for (const auto& e : p.entries) {
        if (!e.directory)
            sekisho::test::write_file(dir / e.name.substr(p.folder().size()), e.bytes);
    }
    std::vector<std::string> args{"--verify", "--id-attr:ID", "構成情報"};
    args.insert(args.end(), trust.begin(), trust.end());
    args.push_back("kousei.xml");
    return run_xmlsec1(dir, args);
}

std::shared_ptr<X509> signer_cert(const std::string& kousei) {
    static const std::regex cert("<ds:X509Certificate>([^<]+)</ds:X509Certificate>");
    std::smatch m;
    REQUIRE(std::regex_search(kousei, m, cert));
    std::string b64 = m[1].str();
    std::erase_if(b64, [](char c) { return c == '\n' || c == '\r'; });
    std::vector<unsigned char> der(b64.size());
    const int n = EVP_DecodeBlock(der.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                                  static_cast<int>(b64.size()));
    REQUIRE(n > 0);
    const unsigned char* p = der.data();
    X509* x = d2i_X509(nullptr, &p, n);  // EVP_DecodeBlock's padding zeros are ignored
    REQUIRE(x != nullptr);
    return {x, X509_free};
}

// X509_verify_cert of the signer against trust-anchor.pem and crl.pem.
int chain_error(X509* cert, const fs::path& ca_dir) {
    std::unique_ptr<X509_STORE, void (*)(X509_STORE*)> store(X509_STORE_new(), X509_STORE_free);
    REQUIRE(X509_STORE_load_file(store.get(), (ca_dir / "trust-anchor.pem").c_str()) == 1);
    REQUIRE(X509_STORE_load_file(store.get(), (ca_dir / "crl.pem").c_str()) == 1);
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
    std::unique_ptr<X509_STORE_CTX, void (*)(X509_STORE_CTX*)> ctx(X509_STORE_CTX_new(),
                                                                   X509_STORE_CTX_free);
    X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
    return X509_verify_cert(ctx.get()) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
}

std::string key_kind(X509* cert) {
    EVP_PKEY* key = X509_get0_pubkey(cert);
    return (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? "EC-" : "RSA-") +
           std::to_string(EVP_PKEY_get_bits(key));
}

// The Reference URIs of a signed kousei.xml.
std::multiset<std::string> references(const std::string& kousei) {
    static const std::regex ref("<ds:Reference URI=\"([^\"]*)\"");
    std::multiset<std::string> out;
    for (std::sregex_iterator it(kousei.begin(), kousei.end(), ref), end; it != end; ++it)
        out.insert((*it)[1].str());
    return out;
}

const std::vector<std::string> kAllCodes{"E-ZIP-CORRUPT",
                                         "E-ZIP-STRUCTURE",
                                         "E-ZIP-PATH",
                                         "E-ZIP-LIMIT",
                                         "E-ZIP-ENCRYPTED",
                                         "E-TYPE-MISMATCH",
                                         "E-XML-MALFORMED",
                                         "E-XML-DTD",
                                         "E-XML-SCHEMA",
                                         "E-SIG-MISSING",
                                         "E-SIG-INVALID",
                                         "E-SIG-UNCOVERED",
                                         "E-SIG-UNTRUSTED",
                                         "E-SIG-EXPIRED",
                                         "E-SIG-REVOKED",
                                         "E-SIG-WEAK",
                                         "E-CSV-ENCODING",
                                         "E-CSV-STRUCTURE",
                                         "E-CSV-FORM",
                                         "E-CSV-FIELD",
                                         "E-CSV-COUNT",
                                         "E-MYNUMBER-CHECKDIGIT",
                                         "E-MYNUMBER-NOT-ALLOWED"};

std::vector<const Package*> with_code(const std::vector<Package>& all, const std::string& code) {
    std::vector<const Package*> out;
    for (const auto& p : all) {
        if (p.codes() == std::vector<std::string>{code})
            out.push_back(&p);
    }
    return out;
}

// The attack inputs the brief asks for: a bomb, traversal, billion laughs, XXE, encryption.
void check_attack_inputs(const std::vector<Package>& all) {
    bool bomb = false, traversal = false, laughs = false, xxe = false, encrypted = false;
    for (const auto* p : with_code(all, "E-ZIP-LIMIT")) {
        if (p->bytes.size() < (1u << 20) && p->entries.empty())
            bomb = bomb || inflated_size(p->bytes) > (64ull << 20);
    }
    for (const auto* p : with_code(all, "E-ZIP-PATH")) {
        for (const auto& e : p->entries)
            traversal = traversal || e.name.find("../") != std::string::npos;
    }
    for (const auto* p : with_code(all, "E-XML-DTD")) {
        for (const auto& e : p->entries) {
            laughs = laughs || e.bytes.find("<!ENTITY lol9") != std::string::npos;
            xxe = xxe || e.bytes.find("SYSTEM \"file:///etc/passwd\"") != std::string::npos;
        }
    }
    for (const auto* p : with_code(all, "E-ZIP-ENCRYPTED"))
        encrypted = encrypted || p->entries.empty();  // libarchive reads none without password
    CHECK(bomb);
    CHECK(traversal);
    CHECK(laughs);
    CHECK(xxe);
    CHECK(encrypted);
    for (const auto* p : with_code(all, "E-MYNUMBER-CHECKDIGIT")) {
        const auto csv = *p->file("KPFD0006.CSV");
        CHECK(std::regex_search(csv, std::regex("(^|,)[0-9]{12}(,|\r)")));
    }
}

}  // namespace

TEST_CASE("make-filings writes one zip and one listing json per package", "[sim][filings]") {
    const auto run = generate(false);
    REQUIRE(run->packages.size() == 10);
    CHECK(std::distance(fs::directory_iterator(run->out()), fs::directory_iterator()) == 20);
    std::set<std::string> ids;
    const std::regex rfc3339("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+09:00");
    for (const auto& p : run->packages) {
        const std::string id(p.meta.at("arrive_id").as_string());
        CHECK(std::regex_match(id, std::regex("[0-9]{15}")));
        CHECK(p.zip.stem() == id);
        CHECK(ids.insert(id).second);
        CHECK(std::regex_match(std::string(p.meta.at("procedure_id").as_string()),
                               std::regex("[0-9A-Z]{16}")));
        CHECK(std::regex_match(std::string(p.meta.at("submitted_at").as_string()), rfc3339));
        const auto& office = p.meta.at("office").as_object();
        CHECK(office.at("number").as_string().size() == 5);
        CHECK(p.meta.at("expect").at("verdict").as_string() == "accept");
        CHECK(p.valid());
    }
    for (const auto* name :
         {"trust-anchor.pem", "trust-anchor.key", "untrusted-ca.pem", "crl.pem", "signer-rsa.pem",
          "signer-rsa.key", "signer-p256.pem", "signer-p256.key"})
        CHECK(fs::exists(run->ca() / name));
}

TEST_CASE("valid packages: one folder, the required files, XML valid per the XSDs",
          "[sim][filings]") {
    const auto run = generate(false);
    std::set<std::string> forms;
    for (const auto& p : run->packages) {
        INFO(p.zip.filename().string());
        REQUIRE_FALSE(p.entries.empty());
        std::set<std::string> names;
        for (const auto& e : p.entries) {
            REQUIRE(e.name.starts_with(p.folder()));
            if (e.directory) {
                CHECK(e.name == p.folder());
                continue;
            }
            const std::string name = e.name.substr(p.folder().size());
            CHECK(std::regex_match(name, std::regex("[A-Za-z0-9._()-]{1,64}")));
            names.insert(name);
        }
        CHECK(names.contains("kousei.xml"));
        CHECK(names.contains("KPFD0006.CSV"));
        const auto form_xml = std::find_if(names.begin(), names.end(), [](const std::string& n) {
            return std::regex_match(n, std::regex("[0-9]{18}_01\\.xml"));
        });
        REQUIRE(form_xml != names.end());
        for (const auto& n : names) {
            CHECK(std::regex_match(n, std::regex("kousei\\.xml|[0-9]{18}_01\\.xml|KPFD0006\\.CSV|"
                                                 "[a-z]+[0-9]{2}\\.(pdf|jpg|png|txt)")));
            if (n != "kousei.xml") {  // every file is listed in kousei.xml
                CHECK(p.file("kousei.xml")->find("<ファイル名称>" + n + "</ファイル名称>") !=
                      std::string::npos);
            }
        }
        CHECK(schema_valid("kousei.xsd", *p.file("kousei.xml")));
        CHECK(schema_valid("shinseisho.xsd", *p.file(*form_xml)));
        CHECK_FALSE(has_mynumber_run(*p.file(*form_xml)));
        for (const auto& f : p.meta.at("form_codes").as_array())
            forms.insert(std::string(f.as_string()));
    }
    CHECK(forms == std::set<std::string>{"2200700", "2201700", "2221700", "2225700", "2265700"});
}

TEST_CASE("valid packages: CP932 CSV with CRLF, counts as declared, 個人番号 only where allowed",
          "[sim][filings]") {
    const auto run = generate(false);
    int mynumbers = 0;
    for (const auto& p : run->packages) {
        INFO(p.zip.filename().string());
        const std::string* csv = p.file("KPFD0006.CSV");
        REQUIRE(csv != nullptr);
        const auto counts = check_csv(*csv);
        std::string form_xml;
        for (const auto& e : p.entries) {
            if (e.name.ends_with("_01.xml"))
                form_xml = e.bytes;
            if (e.name.ends_with(".txt")) {
                CHECK(sekisho::sim::filings::cp932_to_utf8(e.bytes).has_value());
                CHECK_FALSE(has_mynumber_run(e.bytes));
            }
            if (e.name.ends_with(".pdf"))
                CHECK(e.bytes.starts_with("%PDF-"));
            if (e.name.ends_with(".jpg"))
                CHECK(e.bytes.starts_with("\xFF\xD8\xFF"));
            if (e.name.ends_with(".png"))
                CHECK(e.bytes.starts_with("\x89PNG"));
        }
        CHECK(declared_counts(form_xml) == counts);
        for (const auto& line : split(*csv, "\r\n")) {
            const auto f = split(line, ",");
            if (sekisho::sim::filings::field_count(f[0]) == f.size())
                mynumbers += !f[sekisho::sim::filings::mynumber_field(f[0]) - 1].empty();
        }
    }
    CHECK(mynumbers > 0);  // the allowed forms do carry some
}

TEST_CASE("signed valid packages verify with xmlsec1 against the trust anchor", "[sim][filings]") {
    REQUIRE(fs::exists(kXmlsec1));  // Debian package xmlsec1 (scripts/install-deps.sh)
    const auto run = generate(false);
    std::set<std::string> keys;
    int unsigned_gbizid = 0;
    int n = 0;
    for (const auto& p : run->packages) {
        INFO(p.zip.filename().string());
        const std::string& kousei = *p.file("kousei.xml");
        if (kousei.find("<ds:Signature") == std::string::npos) {
            CHECK(p.meta.at("auth_method").as_string() == "gbizid");
            ++unsigned_gbizid;
            continue;
        }
        CHECK(xmlsec1_verify(p, run->dir / ("v" + std::to_string(n++)),
                             {"--trusted-pem", (run->ca() / "trust-anchor.pem").string()}) == 0);
        std::multiset<std::string> expected{"#%E6%A7%8B%E6%88%90%E6%83%85%E5%A0%B1"};
        for (const auto& e : p.entries) {
            if (!e.directory && !e.name.ends_with("/kousei.xml"))
                expected.insert(e.name.substr(p.folder().size()));
        }
        CHECK(references(kousei) == expected);
        CHECK(kousei.find("REC-xml-c14n-20010315") != std::string::npos);
        const auto cert = signer_cert(kousei);
        CHECK(chain_error(cert.get(), run->ca()) == X509_V_OK);
        keys.insert(key_kind(cert.get()));
    }
    CHECK(keys == std::set<std::string>{"EC-256", "RSA-2048"});
    CHECK(unsigned_gbizid > 0);
}

TEST_CASE("make-filings --invalid writes every reason code at least twice, attacks included",
          "[sim][filings]") {
    const auto run = generate(true, 3);
    const auto& all = run->packages;
    for (const auto& p : all) {
        CHECK(p.zip.stem() == std::string(p.meta.at("arrive_id").as_string()));
        CHECK(p.meta.at("expect").at("verdict").as_string() == (p.valid() ? "accept" : "reject"));
        CHECK(p.codes().size() <= 1);
        CHECK_FALSE(p.meta.at("description").as_string().empty());
    }
    for (const auto& code : kAllCodes) {
        INFO(code);
        CHECK(with_code(all, code).size() >= 2);
    }
    const auto malware = with_code(all, "E-MALWARE");
    REQUIRE(malware.size() == 1);
    CHECK(malware[0]->file("memo01.txt")->find(kEicar) != std::string::npos);
    const auto duplicate = with_code(all, "E-DUPLICATE");
    REQUIRE(duplicate.size() == 1);
    CHECK(std::count_if(all.begin(), all.end(), [&](const Package& p) {
              return p.valid() && p.bytes == duplicate[0]->bytes;
          }) == 1);
    check_attack_inputs(all);
}

TEST_CASE("invalid signatures: tampered ones fail xmlsec1, the others fail only on the signer",
          "[sim][filings]") {
    REQUIRE(fs::exists(kXmlsec1));
    const auto run = generate(true, 1);
    int n = 0;
    auto verify = [&](const Package* p) {
        return xmlsec1_verify(*p, run->dir / ("s" + std::to_string(n++)), {"--insecure"});
    };
    for (const auto* p : with_code(run->packages, "E-SIG-INVALID"))
        CHECK(verify(p) != 0);
    for (const char* code :
         {"E-SIG-UNCOVERED", "E-SIG-UNTRUSTED", "E-SIG-EXPIRED", "E-SIG-REVOKED", "E-SIG-WEAK"}) {
        for (const auto* p : with_code(run->packages, code)) {
            INFO(code << ": " << p->meta.at("description").as_string());
            CHECK(verify(p) == 0);  // cryptographically sound
        }
    }
    for (const auto* p : with_code(run->packages, "E-SIG-REVOKED"))
        CHECK(chain_error(signer_cert(*p->file("kousei.xml")).get(), run->ca()) ==
              X509_V_ERR_CERT_REVOKED);
    for (const auto* p : with_code(run->packages, "E-SIG-EXPIRED")) {
        const int err = chain_error(signer_cert(*p->file("kousei.xml")).get(), run->ca());
        CHECK((err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID));
    }
    for (const auto* p : with_code(run->packages, "E-SIG-MISSING"))
        CHECK(p->file("kousei.xml")->find("<ds:Signature") == std::string::npos);
    // Certificate packages broken elsewhere carry a signature that holds: one code only.
    const std::vector<std::string> trusted{"--trusted-pem", run->ca() / "trust-anchor.pem"};
    for (const auto& p : run->packages) {
        const auto codes = p.codes();
        if (p.meta.at("auth_method").as_string() != "certificate" || codes.empty() ||
            codes[0].starts_with("E-SIG-") || codes[0].starts_with("E-ZIP-"))
            continue;
        INFO(codes[0] << ": " << p.meta.at("description").as_string());
        REQUIRE_FALSE(p.entries.empty());
        CHECK(xmlsec1_verify(p, run->dir / ("c" + std::to_string(n++)), trusted) == 0);
    }
}

TEST_CASE("make-filings reuses an existing trust anchor and its signers", "[sim][filings]") {
    TempDir dir;
    const std::string ca = dir / "ca";
    REQUIRE(make_filings({"--out", dir / "a", "--ca-dir", ca, "--count", "1"}) == 0);
    const std::string anchor = sekisho::test::read_file(dir / "ca/trust-anchor.pem");
    const std::string signer = sekisho::test::read_file(dir / "ca/signer-rsa.pem");
    REQUIRE(make_filings({"--out", dir / "b", "--ca-dir", ca, "--count", "1", "--seed", "2"}) == 0);
    CHECK(sekisho::test::read_file(dir / "ca/trust-anchor.pem") == anchor);
    CHECK(sekisho::test::read_file(dir / "ca/signer-rsa.pem") == signer);
}

TEST_CASE("make-filings usage: --help, missing options, bad count", "[sim][filings]") {
    CHECK(make_filings({"--help"}) == 0);
    CHECK(make_filings({"--count", "3"}) == 2);
    CHECK(make_filings({"--out", "/tmp/x", "--ca-dir", "/tmp/y", "--count", "-1"}) == 2);
    CHECK(make_filings({"--bogus"}) == 2);
}

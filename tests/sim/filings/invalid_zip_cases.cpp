// Invalid cases of the ZIP container (spec §1): E-ZIP-CORRUPT, E-ZIP-STRUCTURE, E-ZIP-PATH,
// E-ZIP-LIMIT, E-ZIP-ENCRYPTED, E-TYPE-MISMATCH.

#include <stdexcept>

#include "tests/sim/filings/attachments.hpp"
#include "tests/sim/filings/invalid_cases.hpp"

namespace sekisho::sim::filings {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

// 1 MiB of CP932 text (spaces and CRLF): deflates about a thousandfold.
std::string text_mebibyte() {
    std::string line(1022, ' ');
    line += "\r\n";
    std::string out;
    while (out.size() < kMiB)
        out += line;
    return out;
}

void add_listed(Draft& d, const std::string& name, const std::string& bytes,
                const std::string& label = "連絡事項") {
    d.files.push_back({name, bytes});
    d.listed.push_back({"添付書類", label, name});
    relist(d);
}

// --- E-ZIP-CORRUPT ---------------------------------------------------------------------------

void truncated(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 2}}), "gbizid", "E-ZIP-CORRUPT",
                   "package truncated to 60% of its bytes");
    std::string zip = zip_bytes(d);
    zip.resize(zip.size() * 3 / 5);
    env.sink.write(d, zip);
}

void crc_mismatch(CaseEnv& env) {
    Draft d = base(env, plan({{"2201700", 2}}), "certificate", "E-ZIP-CORRUPT",
                   "stored KPFD0006.CSV with one bit flipped: CRC-32 mismatch");
    sign(d, {.signer = &env.signers.get(Signer::rsa)});
    auto entries = zip_entries(d);
    for (auto& e : entries)
        e.store = e.path.ends_with(kCsvName);
    std::string zip = write_zip(entries, d.zip_options);
    const auto dir = read_zip_directory(zip);
    const auto csv = find_zip_entry(dir, d.filing.folder() + "KPFD0006.CSV");
    zip[csv.data + csv.compressed / 2] ^= 0x01;
    env.sink.write(d, zip);
}

void not_a_zip(CaseEnv& env) {
    Draft d = base(env, plan({{"2265700", 1}}), "gbizid", "E-ZIP-CORRUPT",
                   "local file header signature followed by random bytes");
    std::string junk = "PK\x03\x04";
    for (int i = 0; i < 4000; ++i)
        junk += static_cast<char>(env.rng.uniform(0, 255));
    env.sink.write(d, junk);
}

// --- E-ZIP-STRUCTURE -------------------------------------------------------------------------

void no_folder(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-ZIP-STRUCTURE",
                   "files at the top level, no procedure folder");
    std::vector<ZipEntry> flat;
    for (auto e : zip_entries(d)) {
        if (!e.directory) {
            e.path = e.path.substr(d.filing.folder().size());
            flat.push_back(e);
        }
    }
    env.sink.write(d, write_zip(flat, d.zip_options));
}

void nested_folder(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}, {"pdf"}), "gbizid", "E-ZIP-STRUCTURE",
                   "listed attachment attach01.pdf sits in a nested folder sub/");
    auto entries = zip_entries(d);
    for (auto& e : entries) {
        if (e.path.ends_with("attach01.pdf"))
            e.path = d.filing.folder() + "sub/attach01.pdf";
    }
    env.sink.write(d, write_zip(entries, d.zip_options));
}

void two_folders(CaseEnv& env) {
    Draft d = base(env, plan({{"2221700", 1}}), "gbizid", "E-ZIP-STRUCTURE",
                   "second top-level folder <procedure_id>(2)/ with a copy of the CSV");
    auto entries = zip_entries(d);
    entries.push_back(
        {.path = d.filing.procedure_id + "(2)/KPFD0006.CSV", .bytes = file(d, kCsvName).bytes});
    env.sink.write(d, write_zip(entries, d.zip_options));
}

void unlisted_file(CaseEnv& env) {
    Draft d = base(env, plan({{"2225700", 2}}), "gbizid", "E-ZIP-STRUCTURE",
                   "extra01.pdf in the folder but not listed in kousei.xml");
    d.files.push_back({"extra01.pdf", make_pdf(env.rng)});
    env.sink.write(d);
}

// --- E-ZIP-PATH -------------------------------------------------------------------------------

// A package with one more entry, named by `path_in(folder)` and not listed: the name is the
// fault.
void extra_entry(CaseEnv& env, std::string (*path_in)(const std::string& folder),
                 const std::string& description) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-ZIP-PATH", description);
    auto entries = zip_entries(d);
    entries.push_back(
        {.path = path_in(d.filing.folder()), .bytes = make_txt({"sekisho path test"})});
    env.sink.write(d, write_zip(entries, d.zip_options));
}

void traversal(CaseEnv& env) {
    extra_entry(
        env, [](const std::string& folder) { return folder + "../../../tmp/sekisho-evil.txt"; },
        "entry <folder>/../../../tmp/sekisho-evil.txt escapes the folder");
}

void absolute(CaseEnv& env) {
    extra_entry(
        env, [](const std::string&) { return std::string("/etc/cron.d/sekisho-evil"); },
        "absolute entry name /etc/cron.d/sekisho-evil");
}

void backslash(CaseEnv& env) {
    extra_entry(
        env, [](const std::string& folder) { return folder + "..\\..\\evil.txt"; },
        "entry name with backslashes <folder>/..\\..\\evil.txt");
}

// Listed in kousei.xml, so that the name is the only fault.
void listed_bad_name(CaseEnv& env, const std::string& name, const std::string& description) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-ZIP-PATH", description);
    add_listed(d, name, make_pdf(env.rng), "賃金台帳の写し");
    env.sink.write(d);
}

void non_ascii(CaseEnv& env) {
    listed_bad_name(env, "資料01.pdf", "non-ASCII entry name 資料01.pdf (listed)");
}

void too_long(CaseEnv& env) {
    listed_bad_name(env, std::string(70, 'a') + ".pdf", "entry name of 74 characters (listed)");
}

void case_duplicate(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-ZIP-PATH",
                   "memo01.txt and Memo01.txt: names equal ignoring case (both listed)");
    add_listed(d, "memo01.txt", make_txt({"連絡事項", "一通目"}));
    add_listed(d, "Memo01.txt", make_txt({"連絡事項", "二通目"}));
    env.sink.write(d);
}

// --- E-ZIP-LIMIT ------------------------------------------------------------------------------

// A listed memo01.txt of `mebibytes` MiB of spaces; unsigned (nobody digests a bomb).
Draft bomb_draft(CaseEnv& env, const std::string& description) {
    Draft d = base(env, plan({{"2200700", 1}}), "gbizid", "E-ZIP-LIMIT", description);
    d.listed.push_back({"添付書類", "連絡事項", "memo01.txt"});
    relist(d);
    return d;
}

std::vector<ZipEntry> bomb_entries(const Draft& d, std::uint64_t mebibytes) {
    auto entries = zip_entries(d);
    entries.push_back(
        {.path = d.filing.folder() + "memo01.txt", .bytes = text_mebibyte(), .repeat = mebibytes});
    return entries;
}

void zip_bomb(CaseEnv& env) {
    Draft d = bomb_draft(env, "ZIP bomb: memo01.txt inflates to 72 MiB (limit 64 MiB)");
    env.sink.write(d, write_zip(bomb_entries(d, 72), d.zip_options));
}

void lying_sizes(CaseEnv& env) {
    Draft d = bomb_draft(env, "ZIP bomb whose headers claim 1 KiB; inflates to 72 MiB");
    std::string zip = write_zip(bomb_entries(d, 72), d.zip_options);
    const auto dir = read_zip_directory(zip);
    const auto e = find_zip_entry(dir, d.filing.folder() + "memo01.txt");
    put_le32(zip, e.central + 24, 1024);
    // Data descriptor after the data (with or without its optional signature).
    const std::size_t desc = e.data + e.compressed;
    put_le32(zip, desc + (get_le32(zip, desc) == 0x08074b50 ? 12 : 8), 1024);
    env.sink.write(d, zip);
}

void ratio(CaseEnv& env) {
    Draft d =
        bomb_draft(env, "memo01.txt of 2 MiB spaces: compression ratio about 1000 (limit 200)");
    env.sink.write(d, write_zip(bomb_entries(d, 2), d.zip_options));
}

void too_many_entries(CaseEnv& env) {
    Draft d = base(env, plan({{"2265700", 1}}), "gbizid", "E-ZIP-LIMIT",
                   "40 listed .txt attachments: 44 entries in all (limit 32)");
    for (int i = 1; i <= 40; ++i) {
        const std::string name = "memo" + std::to_string(100 + i) + ".txt";
        d.files.push_back({name, make_txt({"連絡事項", "第" + fullwidth_number(i) + "号"})});
        d.listed.push_back({"添付書類", "連絡事項", name});
    }
    relist(d);
    env.sink.write(d);
}

void big_csv(CaseEnv& env) {
    Draft d = base(env, plan({{"2200700", 30000}}, {}, 0), "gbizid", "E-ZIP-LIMIT",
                   "KPFD0006.CSV of 30000 valid records, larger than 4.5 MB");
    if (file(d, kCsvName).bytes.size() <= 4'900'000)
        throw std::logic_error("big_csv: CSV of " + std::to_string(file(d, kCsvName).bytes.size()) +
                               " bytes is not above the 4.5 MB limit");
    env.sink.write(d);
}

// --- E-ZIP-ENCRYPTED --------------------------------------------------------------------------

void encrypted(CaseEnv& env, ZipEncryption how, const std::string& description) {
    Draft d = base(env, plan({{"2200700", 1}, {"2201700", 1}}), "certificate", "E-ZIP-ENCRYPTED",
                   description);
    d.zip_options.encryption = how;
    finish(env, d);
}

// --- E-TYPE-MISMATCH --------------------------------------------------------------------------

void wrong_content(CaseEnv& env, const std::string& auth, const std::string& ext,
                   const std::string& bytes, const std::string& description) {
    Draft d = base(env, plan({{"2200700", 1}}, {ext}), auth, "E-TYPE-MISMATCH", description);
    d.files.back().bytes = bytes;
    finish(env, d);
}

std::string pe_stub() {
    std::string exe("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00", 16);
    exe += std::string(48, '\0');
    exe += "This program cannot be run in DOS mode.\r\r\n$";
    exe += std::string(64, '\0');
    return exe;
}

std::string nested_zip(Rng& rng) {
    return write_zip({{.path = "inner.txt", .bytes = make_txt({"入れ子のアーカイブ"})},
                      {.path = "inner.pdf", .bytes = make_pdf(rng)}},
                     {});
}

void add_type_cases(std::vector<InvalidCase>& cases) {
    cases.push_back({"E-TYPE-MISMATCH", [](CaseEnv& env) {
                         wrong_content(env, "certificate", "pdf", make_jpeg(env.rng),
                                       "attach01.pdf holds a JPEG");
                     }});
    cases.push_back({"E-TYPE-MISMATCH", [](CaseEnv& env) {
                         wrong_content(env, "certificate", "png", pe_stub(),
                                       "scan01.png holds a Windows executable (MZ)");
                     }});
    cases.push_back({"E-TYPE-MISMATCH", [](CaseEnv& env) {
                         wrong_content(env, "gbizid", "txt", nested_zip(env.rng),
                                       "memo01.txt holds a ZIP archive");
                     }});
    cases.push_back({"E-TYPE-MISMATCH", [](CaseEnv& env) {
                         wrong_content(env, "gbizid", "jpg", make_pdf(env.rng),
                                       "photo01.jpg holds a PDF");
                     }});
}

}  // namespace

void add_zip_cases(std::vector<InvalidCase>& cases) {
    for (auto* f : {truncated, crc_mismatch, not_a_zip})
        cases.push_back({"E-ZIP-CORRUPT", f});
    for (auto* f : {no_folder, nested_folder, two_folders, unlisted_file})
        cases.push_back({"E-ZIP-STRUCTURE", f});
    for (auto* f : {traversal, absolute, backslash, non_ascii, too_long, case_duplicate})
        cases.push_back({"E-ZIP-PATH", f});
    for (auto* f : {zip_bomb, lying_sizes, ratio, too_many_entries, big_csv})
        cases.push_back({"E-ZIP-LIMIT", f});
    cases.push_back({"E-ZIP-ENCRYPTED", [](CaseEnv& env) {
                         encrypted(env, ZipEncryption::zipcrypt,
                                   "all entries encrypted with traditional PKWARE encryption");
                     }});
    cases.push_back({"E-ZIP-ENCRYPTED", [](CaseEnv& env) {
                         encrypted(env, ZipEncryption::aes256,
                                   "all entries encrypted with AES-256");
                     }});
    add_type_cases(cases);
}

}  // namespace sekisho::sim::filings

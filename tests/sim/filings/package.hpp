#pragma once
// A package on its way to bytes. Valid packages go straight through; invalid cases change
// one stage (the filing, a rendered file, the signature, the ZIP entries or the ZIP bytes)
// and leave everything else valid, so that each one earns exactly the codes it expects.

#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/filings/filing_writer.hpp"
#include "tests/sim/filings/rng.hpp"
#include "tests/sim/filings/xml_signer.hpp"
#include "tests/sim/filings/zip_writer.hpp"

namespace sekisho::sim::filings {

// When and under which arrive_id a package arrives.
struct Slot {
    std::string arrive_id;
    Date date;                 // JST
    std::string submitted_at;  // RFC 3339 +09:00
    std::time_t time = 0;
};

struct FilingPlan {
    std::vector<FormCount> forms{};  // form and number of its records
    int mynumber_percent = 60;       // share of records with 個人番号, in forms allowing one
    std::vector<std::string> attachments{};  // extensions: "pdf", "jpg", "png", "txt"
};

Filing make_filing(Rng& rng, const Slot& slot, const FilingPlan& plan);

struct PackageFile {
    std::string name;
    std::string bytes;
};

struct Draft {
    Filing filing;
    Slot slot;
    std::string auth_method = "certificate";
    std::string kousei;              // kousei.xml as it goes into the ZIP
    std::vector<PackageFile> files;  // the folder's other files, in ZIP order
    std::vector<Listed> listed;      // 添付書類属性情報 of kousei.xml, the CSV first
    bool directory_entry = true;     // write an entry for the folder itself
    ZipOptions zip_options{};
    std::vector<std::string> codes;  // expected reason codes; empty means accept
    std::string description;
};

Draft make_draft(const Filing& filing, const Slot& slot, std::string auth_method);
// Re-renders the unsigned kousei.xml from the filing and `listed`.
void relist(Draft& draft);
// Re-renders the CSV and the 申請書XML from the filing (after its records changed).
void rerender(Draft& draft);
PackageFile& file(Draft& draft, std::string_view name);
std::map<std::string, std::string> file_map(const Draft& draft);
std::vector<std::string> file_names(const Draft& draft);

// Signs draft.kousei; with `all_files`, one Reference per file of the draft in ZIP order
// (replacing spec.references).
void sign(Draft& draft, SignSpec spec, bool all_files = true);

std::vector<ZipEntry> zip_entries(const Draft& draft);
std::string zip_bytes(const Draft& draft);

}  // namespace sekisho::sim::filings

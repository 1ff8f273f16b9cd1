#include "tests/sim/filings/package.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "tests/sim/filings/attachments.hpp"

namespace sekisho::sim::filings {
namespace {

constexpr std::string_view kIdChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

std::string procedure_id(Rng& rng) {
    std::string id = "950A";
    while (id.size() < 16)
        id += kIdChars[static_cast<std::size_t>(rng.uniform(0, 35))];
    return id;
}

std::string two_digits(int n) {
    return (n < 10 ? "0" : "") + std::to_string(n);
}

Attachment make_attachment(Rng& rng, const std::string& ext, int n, const Filing& f) {
    const std::string num = two_digits(n);
    if (ext == "pdf")
        return {"attach" + num + ".pdf", "賃金台帳の写し", make_pdf(rng)};
    if (ext == "jpg")
        return {"photo" + num + ".jpg", "雇用契約書の写し", make_jpeg(rng)};
    if (ext == "png")
        return {"scan" + num + ".png", "出勤簿の写し", make_png(rng)};
    if (ext == "txt") {
        return {"memo" + num + ".txt", "連絡事項",
                make_txt({"連絡事項", "提出事業所：" + f.office.name,
                          "添付の届書をご確認ください。", "担当：総務部　" + f.office.owner,
                          "電話：" + f.office.tel_area + "-" + f.office.tel_local + "-" +
                              f.office.tel_number})};
    }
    throw std::invalid_argument("unknown attachment type " + ext);
}

void add_records(Rng& rng, Filing& f, const FilingPlan& plan) {
    std::set<int> used;
    int total = 0;
    for (const auto& fc : plan.forms)
        total += fc.count;
    const int max_seiri = total < 1000 ? 9999 : 999999;  // 1..999999 allowed
    for (const auto& fc : plan.forms) {
        for (int i = 0; i < fc.count; ++i) {
            int seiri = rng.uniform(1, max_seiri);
            while (!used.insert(seiri).second)
                seiri = rng.uniform(1, max_seiri);
            const bool mynumber = mynumber_allowed(fc.form) && rng.chance(plan.mynumber_percent);
            const Person p = make_person(rng, seiri, f.office, mynumber);
            f.records.push_back(make_record(rng, fc.form, f.office, p, f.submitted));
        }
    }
}

}  // namespace

Filing make_filing(Rng& rng, const Slot& slot, const FilingPlan& plan) {
    Filing f;
    f.procedure_id = procedure_id(rng);
    f.form_id = "4951000" + plan.forms.at(0).form + rng.digits(4);
    f.office = make_office(rng);
    f.submitted = slot.date;
    f.submitted_at = slot.submitted_at;
    add_records(rng, f, plan);
    int n = 1;
    for (const auto& ext : plan.attachments)
        f.attachments.push_back(make_attachment(rng, ext, n++, f));
    return f;
}

Draft make_draft(const Filing& filing, const Slot& slot, std::string auth_method) {
    Draft d;
    d.filing = filing;
    d.slot = slot;
    d.auth_method = std::move(auth_method);
    d.zip_options.mtime = slot.time;
    d.files.push_back({filing.form_file(), ""});
    d.files.push_back({std::string(kCsvName), ""});
    d.listed.push_back({"届書CSV", "届書データ", std::string(kCsvName)});
    for (const auto& a : filing.attachments) {
        d.files.push_back({a.name, a.bytes});
        d.listed.push_back({"添付書類", a.label, a.name});
    }
    rerender(d);
    relist(d);
    return d;
}

void relist(Draft& d) {
    d.kousei = render_kousei(d.filing, d.listed);
}

void rerender(Draft& d) {
    file(d, d.filing.form_file()).bytes = render_shinseisho(d.filing, record_counts(d.filing));
    file(d, kCsvName).bytes = render_csv(d.filing);
}

PackageFile& file(Draft& d, std::string_view name) {
    for (auto& f : d.files) {
        if (f.name == name)
            return f;
    }
    throw std::logic_error("no file " + std::string(name) + " in draft");
}

std::map<std::string, std::string> file_map(const Draft& d) {
    std::map<std::string, std::string> out;
    for (const auto& f : d.files)
        out[f.name] = f.bytes;
    return out;
}

std::vector<std::string> file_names(const Draft& d) {
    std::vector<std::string> out;
    for (const auto& f : d.files)
        out.push_back(f.name);
    return out;
}

void sign(Draft& d, SignSpec spec, bool all_files) {
    if (all_files)
        spec.references = file_names(d);
    d.kousei = sign_kousei(d.kousei, file_map(d), spec);
}

std::vector<ZipEntry> zip_entries(const Draft& d) {
    const std::string folder = d.filing.folder();
    std::vector<ZipEntry> out;
    if (d.directory_entry)
        out.push_back({.path = folder, .directory = true});
    out.push_back({.path = folder + std::string(kKouseiName), .bytes = d.kousei});
    for (const auto& f : d.files)
        out.push_back({.path = folder + f.name, .bytes = f.bytes});
    return out;
}

std::string zip_bytes(const Draft& d) {
    return write_zip(zip_entries(d), d.zip_options);
}

}  // namespace sekisho::sim::filings

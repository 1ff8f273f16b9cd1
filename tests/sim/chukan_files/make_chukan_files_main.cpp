// sekisho-sim make-chukan-files: writes 中間サーバー files (spec/chukan-api.md, Files) of
// the six kinds, valid and with --invalid at least two per E-CHUKAN- code, and a manifest
// for the tests:
//   DIR/valid-<n>-<KIND>.csv, DIR/<code>-<n>-<KIND>.csv (KIND: the kind to expect), and
//   DIR/manifest.jsonl, one line per file: {"file", "kind", "verdict": "accept"|"reject",
//   "codes": [...], "description", and for valid files "records" and "flags"}.

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <variant>

#include "daemon/inspect/chukan_inspection.hpp"
#include "tests/sim/chukan_files/invalid_chukan.hpp"
#include "tests/sim/sim_options.hpp"

namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace sekisho::sim::chukan_files;

struct Options {
    fs::path out;
    int count = 2;
    bool invalid = false;
    std::uint64_t seed = 1;
};

po::options_description describe(Options& o) {
    po::options_description d(
        "Usage: sekisho-sim make-chukan-files --out DIR [--count N] [--invalid] [--seed S]\n\n"
        "Writes 中間サーバー files of the six kinds to DIR with DIR/manifest.jsonl.\n\nOptions");
    d.add_options()("help,h", "show this help")("out", po::value(&o.out)->required(),
                                                "output directory")(
        "count", po::value(&o.count)->default_value(2), "valid files of each kind")(
        "invalid", po::bool_switch(&o.invalid),
        "also write invalid files: at least two per reason code")(
        "seed", po::value(&o.seed)->default_value(1), "seed for all random choices");
    return d;
}

// The options, or the exit code when the command line says to stop (help, usage error).
std::variant<Options, int> parse(int argc, char** argv) {
    Options o;
    const auto desc = describe(o);
    const auto stop = sekisho::sim::parse_sim_options(argc, argv, desc, "make-chukan-files", [&] {
        if (o.count < 0 || o.count > 10000)
            throw po::error("--count must be 0..10000");
    });
    if (stop)
        return *stop;
    return o;
}

std::string numbered(const std::string& prefix, int n, std::string_view kind) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "-%02d-", n);
    return prefix + buf + std::string(kind) + ".csv";
}

// Files and manifest lines; the manifest is written last, so that a reader who sees it sees
// every file.
class Output {
  public:
    explicit Output(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

    void valid(const Draft& d) {
        const std::string name = numbered("valid", ++valid_, d.kind);
        json::array flags;
        if (d.multiple_matches > 0) {
            flags.emplace_back(std::string(sekisho::inspect::kFlagHonninMultipleMatches) + ":" +
                               std::to_string(d.multiple_matches));
        }
        write(name, render(d),
              {{"file", name},
               {"kind", d.kind},
               {"verdict", "accept"},
               {"codes", json::array{}},
               {"description", "valid"},
               {"records", d.records.size()},
               {"flags", std::move(flags)}});
    }

    void invalid(const Case& c) {
        const std::string name = numbered(c.code, ++per_code_[c.code], c.kind);
        json::array codes;
        for (const auto& code : c.codes)
            codes.emplace_back(code);
        write(name, c.bytes,
              {{"file", name},
               {"kind", c.kind},
               {"verdict", "reject"},
               {"codes", std::move(codes)},
               {"description", c.description}});
    }

    void finish() {
        std::ofstream out(dir_ / "manifest.jsonl", std::ios::binary);
        out << manifest_;
        if (!out.flush())
            throw std::runtime_error("cannot write the manifest");
        std::cout << "wrote " << written_ << " files to " << dir_.string() << "\n";
        for (const auto& [code, n] : per_code_)
            std::cout << "  " << code << ": " << n << "\n";
    }

  private:
    void write(const std::string& name, const std::string& bytes, json::object line) {
        std::ofstream out(dir_ / name, std::ios::binary);
        out << bytes;
        if (!out.flush())
            throw std::runtime_error("cannot write " + name);
        manifest_ += json::serialize(line) + "\n";
        ++written_;
    }

    fs::path dir_;
    std::string manifest_;
    int valid_ = 0;
    int written_ = 0;
    std::map<std::string, int> per_code_;
};

int run(const Options& o) {
    Output out(o.out);
    Rng rng(o.seed);
    const Date first = sekisho::sim::filings::make_date(2026, 11, 24);
    int day = 0;
    for (int i = 0; i < o.count; ++i) {
        for (const auto kind : sekisho::inspect::kChukanKinds) {
            const Date date = sekisho::sim::filings::add_days(first, day++ % 60);
            out.valid(make_valid(rng, kind, date, rng.uniform(kPatternRecords, 20)));
        }
    }
    if (o.invalid) {
        for (const auto& c : make_invalid(rng, first))
            out.invalid(c);
    }
    out.finish();
    return 0;
}

}  // namespace

int make_chukan_files_main(int argc, char** argv) {
    const auto parsed = parse(argc, argv);
    if (const int* code = std::get_if<int>(&parsed))
        return *code;
    try {
        return run(std::get<Options>(parsed));
    } catch (const std::exception& e) {
        std::cerr << "sekisho-sim make-chukan-files: " << e.what() << "\n";
        return 1;
    }
}

// Seed corpora for the fuzz targets from `sekisho-sim make-filings` output:
//   fuzz_seeds FILINGS_DIR OUT_DIR  →  OUT_DIR/zip/*.zip, OUT_DIR/xml/*, OUT_DIR/csv/*
// (the packages, and the kousei.xml and KPFD0006.CSV found in each readable one).

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "daemon/inspect/zip_container.hpp"

namespace fs = std::filesystem;
using namespace sekisho::inspect;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void spill(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out << bytes;
    if (!out)
        throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: fuzz_seeds FILINGS_DIR OUT_DIR\n";
        return 2;
    }
    const fs::path out(argv[2]);
    for (const char* kind : {"zip", "xml", "csv"})
        fs::create_directories(out / kind);
    int n = 0;
    for (const auto& e : fs::directory_iterator(argv[1])) {
        if (e.path().extension() != ".zip")
            continue;
        const std::string zip = slurp(e.path());
        const std::string stem = e.path().stem().string();
        spill(out / "zip" / (stem + ".zip"), zip);
        Verdict ignored;
        if (const auto package = read_container(zip, Limits{}, ignored)) {
            if (const Entry* k = package->find("kousei.xml"))
                spill(out / "xml" / stem, k->bytes);
            if (const Entry* c = package->find("KPFD0006.CSV"))
                spill(out / "csv" / stem, c->bytes);
        }
        ++n;
    }
    std::cout << "fuzz_seeds: " << n << " packages\n";
    return n > 0 ? 0 : 1;
}

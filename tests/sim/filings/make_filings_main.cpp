// sekisho-sim make-filings: writes filing packages (spec/filing-package.md) with their
// listing sidecars for the Mynaportal simulator and the inspector's tests.

#include <boost/program_options.hpp>

#include <iostream>
#include <optional>
#include <variant>

#include "tests/sim/filings/invalid_cases.hpp"
#include "tests/sim/filings/valid_filings.hpp"
#include "tests/sim/sim_options.hpp"

namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace sekisho::sim::filings;

struct Options {
    fs::path out;
    fs::path ca_dir;
    int count = 10;
    bool invalid = false;
    std::uint64_t seed = 1;
};

po::options_description describe(Options& o) {
    po::options_description d(
        "Usage: sekisho-sim make-filings --out DIR --ca-dir DIR [--count N] [--invalid] "
        "[--seed S]\n\nWrites DIR/<arrive_id>.zip and DIR/<arrive_id>.json per package; the CA "
        "dir gets\ntrust-anchor.pem, untrusted-ca.pem, crl.pem and the signers (reused when "
        "present).\n\nOptions");
    d.add_options()("help,h", "show this help")("out", po::value(&o.out)->required(),
                                                "output directory for packages and sidecars")(
        "ca-dir", po::value(&o.ca_dir)->required(), "directory of the test CA and signers")(
        "count", po::value(&o.count)->default_value(10), "number of valid packages")(
        "invalid", po::bool_switch(&o.invalid),
        "also write invalid packages: at least two per reason code")(
        "seed", po::value(&o.seed)->default_value(1), "seed for all random choices");
    return d;
}

// The options, or the exit code when the command line says to stop (help, usage error).
std::variant<Options, int> parse(int argc, char** argv) {
    Options o;
    const auto desc = describe(o);
    const auto stop = sekisho::sim::parse_sim_options(argc, argv, desc, "make-filings", [&] {
        if (o.count < 0 || o.count > 100000)
            throw po::error("--count must be 0..100000");
    });
    if (stop)
        return *stop;
    return o;
}

int run(const Options& o) {
    const SignerStore signers(o.ca_dir);
    PackageSink sink(o.out, o.seed);
    Rng rng(o.seed);
    std::optional<Draft> first;
    std::string first_zip;
    for (int i = 0; i < o.count || (o.invalid && !first); ++i) {
        const Draft d = make_valid(rng, signers, sink.next_slot(), i);
        std::string zip = sink.write(d);
        if (!first) {
            first = d;
            first_zip = std::move(zip);
        }
    }
    if (o.invalid) {
        CaseEnv env{rng, signers, sink};
        write_invalid(env, *first, first_zip);
    }
    std::cout << "wrote " << sink.written() << " packages to " << o.out.string() << "\n";
    for (const auto& [code, n] : sink.tally())
        std::cout << "  " << code << ": " << n << "\n";
    return 0;
}

}  // namespace

int make_filings_main(int argc, char** argv) {
    const auto parsed = parse(argc, argv);
    if (const int* code = std::get_if<int>(&parsed))
        return *code;
    try {
        return run(std::get<Options>(parsed));
    } catch (const std::exception& e) {
        std::cerr << "sekisho-sim make-filings: " << e.what() << "\n";
        return 1;
    }
}

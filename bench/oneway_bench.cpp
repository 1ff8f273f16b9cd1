// bench/oneway: goodput and CPU cost of the one-way link, sekisho-send to sekisho-recv as
// real processes in two network namespaces joined by a veth pair. In one run:
//   1. the link shaped to 1 Gbit/s (tbf); its own UDP capacity measured with `iperf3 -u`
//      (the way back open only for that measurement) as the physical limit; then 1% random
//      loss and the way back closed. The files are sent once (repeat = 1) with FEC 32+8 at
//      0.99 x the limit (an operator sets `oneway.rate` to the link's capacity; 1% below
//      leaves room for the measurement's own error). Printed: goodput, the limit, goodput / (limit
//      x 32/40) (goal: at least 0.9), and CPU seconds per GB of the sender and of the receiver;
//   2. the same files unshaped and without loss, at a rate the link cannot reach: goodput
//      and Gbit/s per CPU core of each side (ANSSI's lidi claims about 3 Gbit/s per core).
// Every delivered file is checked against its source's SHA-256. Also printed: the pace the
// sender kept against its configured rate, and how busy the whole machine was (other
// work on it skews every figure).
//
// Needs root, iproute2, iptables-legacy and iperf3 (tests/support/netns.hpp).
// Usage: bench_oneway [TOTAL_MB [FILE_MB [RATE_SHARE]]]
//   default 1000 MB in files of 50 MB; RATE_SHARE: the sender's rate as a share of the
//   measured limit (default 0.99).

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/digest.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

constexpr int kFecData = 32;
constexpr int kFecParity = 8;
constexpr double kMB = 1e6;
constexpr double kGB = 1e9;
constexpr std::uint64_t kDefaultTotalMB = 1000;
constexpr std::uint64_t kDefaultFileMB = 50;
constexpr char kPort[] = "7410";
constexpr char kShapedRate[] = "1gbit";
constexpr std::uint64_t kUnshapedSenderBps = 20'000'000'000;  // far above what veth carries
constexpr double kLoss = 0.01;
// The sender's rate, as a share of the measured limit, kept a little under it so that the
// shaper's queue never overflows. The two are not on the same footing: iperf3 reports UDP
// payload, the sender's rate counts IP and UDP headers too (28 of ~1,490 bytes), and the
// tbf shaper also counts the 14-byte Ethernet header.
constexpr double kDefaultRateShare = 0.99;
// UDP and IPv4 headers, which the sender's rate counts on top of each datagram.
constexpr double kUdpIpHeader = 28;
// iperf3 measurements of the limit: the best is kept, since anything else running on the
// machine can only lower what iperf3 reaches, never raise it.
constexpr int kLimitMeasurements = 2;
constexpr auto kPoll = 5ms;  // inbox polling: the wall time is read to within this
// After the sender ends: time for the receiver to finish, or to name what it missed (a
// heartbeat, then a 2 s grace, PROTOCOL.md), with room for a slow last fsync.
constexpr auto kSettle = 20s;

struct Source {
    fs::path path;
    std::string sha256;
    std::uint64_t size = 0;
};

std::span<const unsigned char> as_bytes(const std::string& s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// --- test files ---------------------------------------------------------------------

std::string random_bytes(std::size_t size, std::mt19937_64& rng) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; i += 8) {
        const auto v = rng();
        std::memcpy(out.data() + i, &v, std::min<std::size_t>(8, size - i));
    }
    return out;
}

std::vector<Source> make_files(const fs::path& dir, std::uint64_t total, std::uint64_t each) {
    fs::create_directories(dir);
    std::mt19937_64 rng(20240601);  // fixed: runs are comparable
    std::vector<Source> out;
    for (std::uint64_t done = 0; done < total; done += each) {
        const auto size = std::min(each, total - done);
        const auto content = random_bytes(size, rng);
        const auto path = dir / ("file-" + std::to_string(out.size()) + ".bin");
        test::write_file(path, content, 0600);
        out.push_back({path, hex_lower(sha256(as_bytes(content))), size});
    }
    // Write-back of the new files now, not while the receiver's fsyncs are being timed.
    ::sync();
    return out;
}

std::uint64_t total_size(const std::vector<Source>& files) {
    std::uint64_t n = 0;
    for (const auto& f : files)
        n += f.size;
    return n;
}

// --- configuration and processes ----------------------------------------------------

std::string quoted(const fs::path& p) {
    return "\"" + p.string() + "\"";
}

void write_configs(const test::NetnsPair& pair, const fs::path& key, const fs::path& run,
                   const std::string& rate) {
    const auto address = "\"" + pair.receiver_addr() + ":" + kPort + "\"";
    test::write_file(
        run / "recv.toml",
        "[daemon]\nuser = \"root\"\n[keys]\noneway_key = " + quoted(key) +
            "\n[receiver]\nlisten = " + address + "\ninbox_dir = " + quoted(run / "inbox") +
            "\nstate_dir = " + quoted(run / "recv-state") +
            "\nmetrics_file = " + quoted(run / "recv.prom") + "\nsocket_buffer = \"256MiB\"\n");
    test::write_file(run / "send.toml",
                     "[daemon]\nuser = \"root\"\nstate_dir = " + quoted(run / "send-state") +
                         "\n[keys]\noneway_key = " + quoted(key) +
                         "\n[oneway]\ndestination = " + address + "\nrate = \"" + rate +
                         "\"\nfec_data = " + std::to_string(kFecData) +
                         "\nfec_parity = " + std::to_string(kFecParity) + "\nrepeat = 1\n");
}

std::unique_ptr<test::Child> start_receiver(const test::NetnsPair& pair, const fs::path& run) {
    // `ip netns exec` execs the program: the Child's pid is the receiver's own.
    auto child = std::make_unique<test::Child>(
        test::NetnsPair::in_ns(pair.receiver_ns(), {test::program("sekisho-recv").string(), "-c",
                                                    (run / "recv.toml").string()}),
        std::map<std::string, std::string>{}, run / "recv.log");
    const auto until = Clock::now() + 10s;
    // It logs "receiving" once its socket is bound.
    while (test::read_file(run / "recv.log").find("receiving") == std::string::npos) {
        if (Clock::now() > until || !child->running())
            throw std::runtime_error("sekisho-recv did not start:\n" +
                                     test::read_file(run / "recv.log"));
        std::this_thread::sleep_for(20ms);
    }
    return child;
}

// --- CPU time -----------------------------------------------------------------------

// utime + stime of a running process, all threads, from /proc/PID/stat.
double process_cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string stat{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto paren = stat.rfind(')');  // the command name before it may hold spaces
    if (paren == std::string::npos)
        throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/stat");
    std::istringstream fields(stat.substr(paren + 1));
    std::string field;
    unsigned long long ticks = 0;
    for (int n = 3; n <= 15 && fields >> field; ++n) {  // field 3 is the state
        if (n == 14 || n == 15)                         // utime, stime
            ticks += std::stoull(field);
    }
    return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// CPU of every child reaped so far. While the sender runs it is the only child reaped,
// so the difference across its run is its own CPU time.
double children_cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_CHILDREN, &ru);
    const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

// Busy and total CPU ticks of the whole machine, from the first line of /proc/stat.
struct MachineTicks {
    unsigned long long busy = 0;
    unsigned long long total = 0;
};

MachineTicks machine_ticks() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;
    MachineTicks t;
    unsigned long long v = 0;
    for (int field = 0; field < 8 && in >> v; ++field) {  // user nice system idle iowait ...
        t.total += v;
        t.busy += field == 3 || field == 4 ? 0 : v;
    }
    return t;
}

// --- what the link and the kernel counted -------------------------------------------

struct LinkCounters {
    std::uint64_t loss_drops = 0;     // the random-loss rule
    std::uint64_t shaper_drops = 0;   // tbf queue overflow on the sender side
    std::uint64_t rcvbuf_errors = 0;  // UDP datagrams the receiver's socket had no room for
};

std::uint64_t number_after(const std::string& text, const std::string& word) {
    const auto at = text.find(word);
    return at == std::string::npos ? 0
                                   : std::strtoull(text.c_str() + at + word.size(), nullptr, 10);
}

// /proc/net/snmp as seen in `ns`: a "Udp:" line of names, then one of values.
std::uint64_t udp_counter(const std::string& ns, const std::string& name) {
    const auto snmp = test::run(test::NetnsPair::in_ns(ns, {"cat", "/proc/net/snmp"})).out;
    std::istringstream in(snmp);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("Udp:"))
            lines.push_back(line);
    }
    if (lines.size() < 2)
        return 0;
    std::istringstream names(lines[0]), values(lines[1]);
    for (std::string n, v; names >> n && values >> v;) {
        if (n == name)
            return std::stoull(v);
    }
    return 0;
}

LinkCounters link_counters(const test::NetnsPair& pair) {
    const auto qdisc = test::run(test::NetnsPair::in_ns(
        pair.sender_ns(), {"tc", "-s", "qdisc", "show", "dev", pair.sender_if()}));
    return {pair.loss_drops(), number_after(qdisc.out, "dropped "),
            udp_counter(pair.receiver_ns(), "RcvbufErrors")};
}

LinkCounters operator-(const LinkCounters& a, const LinkCounters& b) {
    return {a.loss_drops - b.loss_drops, a.shaper_drops - b.shaper_drops,
            a.rcvbuf_errors - b.rcvbuf_errors};
}

// --- the receiver's inbox and metrics -----------------------------------------------

// Items delivered: a manifest is written last, so its presence means delivered.
std::size_t manifests_in(const fs::path& inbox) {
    std::error_code ec;
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(inbox, ec)) {
        const auto name = e.path().filename().string();
        n += name.ends_with(".json") && !name.starts_with(".") ? 1 : 0;
    }
    return n;
}

// A value from the Prometheus text file, e.g. `sekisho_recv_transfers_total{outcome="lost"}`.
double metric(const fs::path& prom, const std::string& series) {
    std::ifstream in(prom);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(series + " "))
            return std::stod(line.substr(series.size() + 1));
    }
    return 0;
}

const std::string kDelivered = "sekisho_recv_transfers_total{outcome=\"delivered\"}";
const std::string kLost = "sekisho_recv_transfers_total{outcome=\"lost\"}";
const std::string kRepaired = "sekisho_recv_repaired_shards_total";

// --- one measurement ----------------------------------------------------------------

struct SenderRun {
    test::Completed done;
    double cpu_seconds = 0;
};

SenderRun run_sender(const test::NetnsPair& pair, const fs::path& run,
                     const std::vector<Source>& files) {
    std::vector<std::string> argv{test::program("sekisho-send").string(), "-c",
                                  (run / "send.toml").string(), "--once"};
    for (const auto& f : files)
        argv.push_back(f.path.string());
    const double before = children_cpu_seconds();
    SenderRun r{test::run(test::NetnsPair::in_ns(pair.sender_ns(), argv)), 0};
    r.cpu_seconds = children_cpu_seconds() - before;
    return r;
}

// Polls the inbox until every file is delivered, or the sender has ended and the receiver
// has accounted for every transfer (delivered or lost), or kSettle after the sender
// ended. Returns the time of the last delivery seen.
Clock::time_point wait_delivered(const fs::path& run, std::size_t count,
                                 std::future<SenderRun>& sender, Clock::time_point start) {
    auto last = start;
    std::size_t seen = 0;
    std::optional<Clock::time_point> sender_ended;
    for (;;) {
        const auto now = Clock::now();
        if (const auto n = manifests_in(run / "inbox"); n > seen) {
            seen = n;
            last = now;
        }
        if (seen >= count)
            return last;
        if (!sender_ended && sender.wait_for(0s) == std::future_status::ready)
            sender_ended = now;
        if (sender_ended &&
            (metric(run / "recv.prom", kDelivered) + metric(run / "recv.prom", kLost) >=
                 static_cast<double>(count) ||
             now - *sender_ended > kSettle))
            return last;
        std::this_thread::sleep_for(kPoll);
    }
}

struct Measurement {
    std::string rate;
    std::uint64_t rate_bps = 0;
    std::size_t files = 0;
    double wall = 0;  // sender start to the last delivery
    double sender_cpu = 0;
    double receiver_cpu = 0;
    std::uint64_t delivered_bytes = 0;
    std::size_t delivered = 0;
    std::size_t mismatches = 0;
    double lost = 0;
    double repaired = 0;
    LinkCounters link;
    int sender_exit = 0;
    std::string sender_summary;    // sekisho-send's last line on stderr
    double sender_wire_bytes = 0;  // what it sent as its rate counts: UDP payload + headers
    double machine_busy = 0;       // share of all the machine's CPU time that was busy
};

// Compares each delivered item with its source: counts what arrived and what differs.
void verify(const fs::path& inbox, const std::vector<Source>& files, const std::string& sent,
            Measurement& m) {
    std::map<std::string, const Source*> by_path;
    for (const auto& f : files)
        by_path[f.path.string()] = &f;
    std::istringstream lines(sent);
    for (std::string id, path; lines >> id >> path;) {
        const auto source = by_path.find(path);
        if (source == by_path.end() || !fs::exists(inbox / (id + ".json")))
            continue;
        const auto bytes = test::read_file(inbox / (id + ".bin"));
        ++m.delivered;
        m.delivered_bytes += bytes.size();
        m.mismatches += hex_lower(sha256(as_bytes(bytes))) == source->second->sha256 ? 0 : 1;
    }
}

// What the sender sent, counted as its rate counts (UDP payload plus IP and UDP headers),
// from its summary "sent N transfer(s), D datagrams, B bytes"; 0 if it printed none.
double wire_bytes(const std::string& summary) {
    unsigned long long transfers = 0, datagrams = 0, bytes = 0;
    const auto at = summary.find("sent ");
    if (at == std::string::npos ||
        std::sscanf(summary.c_str() + at, "sent %llu transfer(s), %llu datagrams, %llu", &transfers,
                    &datagrams, &bytes) != 3)
        return 0;
    return static_cast<double>(bytes) + kUdpIpHeader * static_cast<double>(datagrams);
}

std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of('\n');
    if (end == std::string::npos)
        return {};
    const auto begin = text.rfind('\n', end);
    return text.substr(begin == std::string::npos ? 0 : begin + 1, end - begin);
}

Measurement measure(const test::NetnsPair& pair, const fs::path& key, const fs::path& run,
                    std::uint64_t rate_bps, const std::vector<Source>& files) {
    const auto rate = std::to_string(rate_bps / 1'000'000) + "Mbit";
    fs::create_directories(run / "send-state");
    write_configs(pair, key, run, rate);
    auto receiver = start_receiver(pair, run);
    const auto counters_before = link_counters(pair);
    const double receiver_before = process_cpu_seconds(receiver->pid());
    const auto machine_before = machine_ticks();
    const auto start = Clock::now();
    auto sender =
        std::async(std::launch::async, run_sender, std::cref(pair), run, std::cref(files));
    const auto last = wait_delivered(run, files.size(), sender, start);
    const auto s = sender.get();
    Measurement m;
    m.rate = rate;
    m.rate_bps = rate_bps;
    m.files = files.size();
    m.wall = seconds_between(start, last);
    m.sender_cpu = s.cpu_seconds;
    m.receiver_cpu = process_cpu_seconds(receiver->pid()) - receiver_before;
    const auto machine_after = machine_ticks();
    m.machine_busy =
        static_cast<double>(machine_after.busy - machine_before.busy) /
        static_cast<double>(std::max(1ULL, machine_after.total - machine_before.total));
    m.sender_exit = s.done.exit_code;
    m.sender_summary = last_line(s.done.err);
    m.sender_wire_bytes = wire_bytes(m.sender_summary);
    m.link = link_counters(pair) - counters_before;
    receiver->signal(SIGTERM);  // it publishes its final metrics on the way out
    receiver->wait(10s);
    m.lost = metric(run / "recv.prom", kLost);
    m.repaired = metric(run / "recv.prom", kRepaired);
    verify(run / "inbox", files, s.done.out, m);
    std::error_code ec;
    fs::remove_all(run / "inbox", ec);  // a GB less on disk for the next measurement
    return m;
}

// --- output -------------------------------------------------------------------------

double goodput_mbps(const Measurement& m) {
    return m.wall > 0 ? static_cast<double>(m.delivered_bytes) * 8 / m.wall / kMB : 0;
}

double per_gb(double cpu_seconds, const Measurement& m) {
    return m.delivered_bytes > 0 ? cpu_seconds / (static_cast<double>(m.delivered_bytes) / kGB) : 0;
}

// Payload bits per CPU second: Gbit/s one fully busy core would carry.
double gbit_per_core(double cpu_seconds, const Measurement& m) {
    return cpu_seconds > 0 ? static_cast<double>(m.delivered_bytes) * 8 / cpu_seconds / kGB : 0;
}

void print_common(const Measurement& m) {
    std::printf("  sender rate             %s\n", m.rate.c_str());
    std::printf(
        "  delivered               %zu of %zu files, %.1f MB; lost %.0f; SHA-256 mismatches %zu\n",
        m.delivered, m.files, static_cast<double>(m.delivered_bytes) / kMB, m.lost, m.mismatches);
    std::printf("  wall                    %.2f s (sender start to last delivery)\n", m.wall);
    std::printf("  goodput                 %.1f Mbit/s (one repetition: repeat = 1)\n",
                goodput_mbps(m));
    std::printf(
        "  drops: loss rule %llu, shaper %llu, receiver socket buffer %llu; repaired shards %.0f\n",
        static_cast<unsigned long long>(m.link.loss_drops),
        static_cast<unsigned long long>(m.link.shaper_drops),
        static_cast<unsigned long long>(m.link.rcvbuf_errors), m.repaired);
    std::printf("  sekisho-send (exit %d): %s\n", m.sender_exit, m.sender_summary.c_str());
    const double pace = m.wall > 0 ? m.sender_wire_bytes * 8 / m.wall / kMB : 0;
    std::printf("  sender pace             %.1f Mbit/s over the wall time, %.0f%% of its rate\n",
                pace, pace * kMB * 100 / static_cast<double>(m.rate_bps));
    std::printf(
        "  machine CPU busy        %.0f%% of %ld core(s) (anything else running skews all this)\n",
        m.machine_busy * 100, ::sysconf(_SC_NPROCESSORS_ONLN));
}

void print_shaped(const Measurement& m, double limit_mbps) {
    const double share = static_cast<double>(kFecData) / (kFecData + kFecParity);
    std::printf("\nshaped to %s with %.0f%% loss, way back closed:\n", kShapedRate, kLoss * 100);
    print_common(m);
    std::printf("  limit (iperf3 -u)       %.1f Mbit/s\n", limit_mbps);
    std::printf("  goodput / (limit x %d/%d) = %.3f (goal: at least 0.9)\n", kFecData,
                kFecData + kFecParity, goodput_mbps(m) / (limit_mbps * share));
    // A sender that kept its rate exactly and lost no time: what the protocol's own
    // overhead (parity, datagram headers and tags, repeated transfer headers) leaves.
    const double best = m.sender_wire_bytes > 0
                            ? static_cast<double>(m.rate_bps) / kMB *
                                  static_cast<double>(m.delivered_bytes) / m.sender_wire_bytes
                            : 0;
    std::printf("  at most %.3f at this rate: a sender keeping it exactly would get %.1f Mbit/s\n",
                best / (limit_mbps * share), best);
    std::printf("  sender CPU              %.2f s: %.2f s per GB\n", m.sender_cpu,
                per_gb(m.sender_cpu, m));
    std::printf("  receiver CPU            %.2f s: %.2f s per GB\n", m.receiver_cpu,
                per_gb(m.receiver_cpu, m));
}

void print_unshaped(const Measurement& m) {
    std::printf("\nunshaped, no loss:\n");
    print_common(m);
    std::printf("  sender CPU              %.2f s: %.2f Gbit/s per core (%.2f s per GB)\n",
                m.sender_cpu, gbit_per_core(m.sender_cpu, m), per_gb(m.sender_cpu, m));
    std::printf("  receiver CPU            %.2f s: %.2f Gbit/s per core (%.2f s per GB)\n",
                m.receiver_cpu, gbit_per_core(m.receiver_cpu, m), per_gb(m.receiver_cpu, m));
    std::printf(
        "  (lidi claims about 3 Gbit/s per core. This machine has %ld core(s): with few,\n"
        "  sender, receiver and the kernel's veth and UDP work share them, and process CPU\n"
        "  leaves out softirq time spent on their behalf.)\n",
        ::sysconf(_SC_NPROCESSORS_ONLN));
}

double measure_limit(const test::NetnsPair& pair) {
    double best = 0;
    for (int i = 0; i < kLimitMeasurements; ++i) {
        const double mbps = test::iperf3_udp_mbps(pair, "2G", 3);
        std::printf("  iperf3 -u -b 2G -t 3: %.1f Mbit/s\n", mbps);
        best = std::max(best, mbps);
    }
    return best;
}

int bench(std::uint64_t total, std::uint64_t each, double rate_share) {
    test::NetnsPair pair;
    pair.set_rate(kShapedRate);
    std::printf("bench/oneway: link limit through tbf %s, way back open (best of %d):\n",
                kShapedRate, kLimitMeasurements);
    std::fflush(stdout);
    const double limit = measure_limit(pair);
    pair.drop_back_path(true);
    pair.set_loss(kLoss);
    test::TempDir dir;
    std::printf("generating %.0f MB in files of %.0f MB...\n", static_cast<double>(total) / kMB,
                static_cast<double>(each) / kMB);
    std::fflush(stdout);
    const auto files = make_files(dir / "files", total, each);
    test::write_file(dir / "oneway.key", test::random_key(), 0600);
    std::printf("%zu files, %.1f MB; FEC %d+%d, repeat = 1 (goodput of one repetition)\n",
                files.size(), static_cast<double>(total_size(files)) / kMB, kFecData, kFecParity);
    std::printf("sender rate %.3f x limit\n", rate_share);
    std::fflush(stdout);
    const auto rate_bps = static_cast<std::uint64_t>(std::llround(limit * rate_share)) * 1'000'000;
    const auto shaped = measure(pair, dir / "oneway.key", dir / "shaped", rate_bps, files);
    print_shaped(shaped, limit);
    std::fflush(stdout);
    pair.set_rate("");
    pair.set_loss(0);
    const auto fast =
        measure(pair, dir / "oneway.key", dir / "unshaped", kUnshapedSenderBps, files);
    print_unshaped(fast);
    return shaped.mismatches + fast.mismatches == 0 ? 0 : 1;
}

std::uint64_t megabytes_arg(int argc, char** argv, int index, std::uint64_t fallback) {
    if (argc <= index)
        return fallback;
    const auto mb = std::strtoull(argv[index], nullptr, 10);
    if (mb == 0)
        throw std::invalid_argument(std::string("not a positive number of MB: ") + argv[index]);
    return mb;
}

}  // namespace

int main(int argc, char** argv) {
    if (!test::NetnsPair::available()) {
        std::fprintf(stderr, "bench_oneway: needs root, ip, tc and iptables-legacy\n");
        return 1;
    }
    try {
        const auto total = megabytes_arg(argc, argv, 1, kDefaultTotalMB);
        const auto each = megabytes_arg(argc, argv, 2, kDefaultFileMB);
        const double share = argc > 3 ? std::strtod(argv[3], nullptr) : kDefaultRateShare;
        if (!(share > 0 && share <= 2))
            throw std::invalid_argument("RATE_SHARE must be in (0, 2]");
        return bench(total * 1'000'000, each * 1'000'000, share);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_oneway: %s\n", e.what());
        return 1;
    }
}

// bench/mynaportal: how fast filings come from Mynaportal into the queue, next to what a
// plain client gets from the same server. Against `sekisho-sim mynaportal` over mutual
// TLS, in one run: one full poll cycle of N filings (default 1,000 × 50 KB), our client's
// package downloads alone (each committed durably to a queue), and `curl` fetching the
// same packages over one connection with the same certificate and TLS settings (the
// reference of the goal). Our client uses CONCURRENCY connections (the poller's default
// unless given); curl is measured a second time with as many parallel connections, so the
// figures also compare like with like. Also the VmRSS of this process (our client runs in
// it) before, during and after the cycle.
//
// Usage: bench_mynaportal [FILINGS [SIZE [CONCURRENCY]]]

#include <fcntl.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/http/concurrency.hpp"
#include "common/time_format.hpp"
#include "tests/integration/mynaportal/sim_fixture.hpp"

using namespace sekisho;
using boost::asio::awaitable;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kMB = 1e6;
constexpr double kMiB = 1024.0 * 1024.0;
// Our downloads and curl are measured in alternating rounds and the median kept: one
// sample on a shared machine says more about its neighbours than about the clients. As
// many rounds as fit in the budget (the whole benchmark should stay near two minutes).
constexpr int kMaxRounds = 5;
constexpr double kBudgetSeconds = 100;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Rate {
    double seconds = 0;
    int filings = 0;
    std::uint64_t bytes = 0;
    double per_second() const { return filings / seconds; }
    double mb_per_second() const { return double(bytes) / kMB / seconds; }
};

void print_rate(const char* what, const Rate& r) {
    std::printf("%-34s %5d filings in %6.3f s: %7.1f filings/s, %6.2f MB/s\n", what, r.filings,
                r.seconds, r.per_second(), r.mb_per_second());
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

long vm_kib(const char* field) {
    std::ifstream in("/proc/self/status");
    const std::string key = std::string(field) + ":";
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(key))
            return std::atol(line.c_str() + key.size());
    }
    return -1;
}

template <typename T>
T run_io(awaitable<T> task) {
    boost::asio::io_context io;
    auto f = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.run();
    return f.get();
}

config::SecretBytes password_of(const mynaportal::PollSettings& s) {
    return config::load_secret(s.password,
                               {.owner = ::geteuid(), .max_size = 1024, .strip_newline = true});
}

// Connected and logged in, as the poller would be.
awaitable<void> open_session(mynaportal::ApiClient& api, const mynaportal::PollSettings& s) {
    co_await api.connect();
    std::string user_id = s.user_id;
    config::SecretBytes password = password_of(s);
    co_await api.login(std::move(user_id), std::move(password));
}

awaitable<void> close_session(mynaportal::ApiClient& api) {
    co_await api.logout();
    co_await api.close();
}

// The listing, taken once before anything is measured: our downloads-only rounds fetch
// these filings after the cycle has marked them downloaded (the listing then omits them).
// It also lets the simulator hash every package once, so no measured side pays for that.
awaitable<std::vector<mynaportal::Filing>> list_all(const mynaportal::PollSettings& s) {
    mynaportal::ApiClient api(s.endpoint, s.tls, s.timeouts, s.limits);
    co_await open_session(api, s);
    std::vector<mynaportal::Filing> all;
    for (std::uint64_t offset = 0;;) {
        mynaportal::ListPage page = co_await api.list(offset, s.page_size);
        offset += page.filings.size();
        for (auto& f : page.filings)
            all.push_back(std::move(f));
        if (page.filings.empty() || offset >= page.total)
            break;
    }
    co_await close_session(api);
    co_return all;
}

// One connection's share of the downloads: the next filing not yet taken, streamed into a
// queue item and committed durably on the offload pool, as the poller does.
awaitable<void> download_some(const mynaportal::PollSettings& s,
                              const std::vector<mynaportal::Filing>& filings, queue::Queue& q,
                              mynaportal::ApiClient& api, http::Offload& offload,
                              std::size_t& next) {
    while (next < filings.size()) {
        const auto& f = filings[next++];
        const std::string meta = mynaportal::filing_metadata(f);
        auto writer =
            q.begin({std::string(mynaportal::kSource), f.arrive_id, "filing",
                     config::SecretBytes(std::vector<unsigned char>(meta.begin(), meta.end())),
                     s.limits.max_package});
        mynaportal::Filing filing = f;
        co_await api.download(std::move(filing), writer);
        // A named value: g++ 12 destroys a temporary argument of a co_await twice.
        auto commit = [&q, w = std::move(writer)]() mutable { q.commit(std::move(w)); };
        co_await offload.run(std::move(commit));
    }
}

// Each package streamed into a queue item and committed durably, as the poller does, over
// s.concurrency connections under one login; without the poller's `downloaded` calls and
// notices. Login is not timed (curl's is not either); the connections and TLS handshakes
// are.
awaitable<double> download_all(const mynaportal::PollSettings& s,
                               const std::vector<mynaportal::Filing>& filings, queue::Queue& q) {
    mynaportal::ApiClient api(s.endpoint, s.tls, s.timeouts, s.limits);
    auto t0 = Clock::now();
    co_await api.connect();
    double seconds = seconds_since(t0);
    std::string user_id = s.user_id;
    config::SecretBytes password = password_of(s);
    co_await api.login(std::move(user_id), std::move(password));
    std::vector<std::unique_ptr<mynaportal::ApiClient>> helpers;
    for (std::size_t i = 1; i < s.concurrency; ++i) {
        helpers.push_back(
            std::make_unique<mynaportal::ApiClient>(s.endpoint, s.tls, s.timeouts, s.limits));
        helpers.back()->share_session(api);
    }
    t0 = Clock::now();
    {
        http::Offload offload(s.concurrency);
        std::size_t next = 0;
        std::vector<awaitable<void>> tasks;
        tasks.push_back(download_some(s, filings, q, api, offload, next));
        for (auto& helper : helpers)
            tasks.push_back(download_some(s, filings, q, *helper, offload, next));
        co_await http::all_of(std::move(tasks));
    }
    seconds += seconds_since(t0);
    for (auto& helper : helpers)
        co_await helper->close();
    co_await close_session(api);
    co_return seconds;
}

// The protocol and cipher a context negotiates with the simulator by default. The
// connection is dropped without close_notify: the simulator would only answer it after
// its idle timeout.
std::string negotiated(boost::asio::ssl::context& tls, int port) {
    boost::asio::io_context io;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(io, tls);
    const boost::asio::ip::tcp::endpoint server(boost::asio::ip::make_address("127.0.0.1"),
                                                static_cast<unsigned short>(port));
    stream.next_layer().connect(server);
    stream.handshake(boost::asio::ssl::stream_base::client);
    std::string out = SSL_get_version(stream.native_handle());
    out += " / ";
    out += SSL_get_cipher_name(stream.native_handle());
    return out;
}

// Log lines go to a file while a client runs, as the daemon's go to the journal: writing
// them to a terminal would measure the terminal.
class StderrToFile {
  public:
    explicit StderrToFile(const std::filesystem::path& file) : saved_(::dup(STDERR_FILENO)) {
        std::fflush(stderr);
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
    }
    ~StderrToFile() {
        std::fflush(stderr);
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
    }
    StderrToFile(const StderrToFile&) = delete;
    StderrToFile& operator=(const StderrToFile&) = delete;

  private:
    int saved_;
};

// Samples VmRSS when the simulator has recorded 25, 50 and 75 % of the package downloads:
// the simulator appends to its record as it handles each request, so the file tracks the
// client's progress without touching the client.
class RssSampler {
  public:
    RssSampler(const std::filesystem::path& record, int total)
        : record_(record), offset_(std::filesystem::file_size(record)), total_(total) {
        thread_ = std::thread([this] { watch(); });
    }
    ~RssSampler() { stop(); }
    RssSampler(const RssSampler&) = delete;
    RssSampler& operator=(const RssSampler&) = delete;

    // The samples taken, in order (fewer when the cycle stopped early).
    std::vector<long> stop() {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
        return samples_;
    }

  private:
    void watch() {
        const int fd = ::open(record_.c_str(), O_RDONLY | O_CLOEXEC);
        ::lseek(fd, static_cast<off_t>(offset_), SEEK_SET);
        std::string pending;
        char buf[1 << 16];
        while (!stop_ && samples_.size() < 3) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            pending.append(buf, static_cast<std::size_t>(n));
            for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
                count(std::string_view(pending).substr(0, nl));
                pending.erase(0, nl + 1);
            }
        }
        ::close(fd);
    }

    void count(std::string_view line) {
        if (line.find("/package\"") == std::string_view::npos ||
            line.find("\"status\":200") == std::string_view::npos) {
            return;
        }
        ++downloads_;
        const auto next = static_cast<int>(samples_.size()) + 1;
        if (next <= 3 && downloads_ * 4 >= next * total_)
            samples_.push_back(vm_kib("VmRSS"));
    }

    std::filesystem::path record_;
    std::uintmax_t offset_;
    int total_;
    int downloads_ = 0;
    std::vector<long> samples_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Where a cycle's time went, from the simulator's record (its clock, 1 ms resolution:
// the per-filing sums carry up to ±1 ms per filing, averaging out over many).
struct Phases {
    double listing_s = 0;  // login to the last list request
    double fetch_s = 0;    // each package GET to its `downloaded`: transfer, seal, commit
    double mark_s = 0;     // each `downloaded` to the next GET: answer, confirm, log
    double notices_s = 0;  // last `downloaded` to the last notice
};

struct CycleResult {
    Rate rate;
    mynaportal::CycleReport report;
    std::vector<long> rss_kib;  // before, 25 %, 50 %, 75 %, after
    Phases phases;
};

// The record's requests from byte `from` on: (unix ms, target).
std::vector<std::pair<std::int64_t, std::string>> recorded_since(const test::SimFixture& sim,
                                                                 std::uintmax_t from) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    std::istringstream in(test::read_file(sim.record).substr(from));
    for (std::string line; std::getline(in, line);) {
        const auto o = boost::json::parse(line).as_object();
        const auto t = parse_rfc3339(o.at("t").as_string());
        if (t)
            out.emplace_back(*t, std::string(o.at("target").as_string()));
    }
    return out;
}

Phases phases_of(const std::vector<std::pair<std::int64_t, std::string>>& requests) {
    Phases p;
    std::int64_t login = 0, last_list = 0, last_package = 0, last_downloaded = 0, last = 0;
    for (const auto& [t, target] : requests) {
        if (target == "/v1/auth/login") {
            login = t;
        } else if (target.starts_with("/v1/filings?")) {
            last_list = t;
        } else if (target.ends_with("/package")) {
            if (last_downloaded > last_package)
                p.mark_s += double(t - last_downloaded) / 1000;
            last_package = t;
        } else if (target.ends_with("/downloaded")) {
            p.fetch_s += double(t - last_package) / 1000;
            last_downloaded = t;
        } else if (target.ends_with("/notices")) {
            last = t;
        }
    }
    p.listing_s = double(last_list - login) / 1000;
    p.notices_s = last > last_downloaded ? double(last - last_downloaded) / 1000 : 0;
    return p;
}

// What else there is to say when a client failed: the simulator may be gone.
std::string why(test::SimFixture& sim) {
    return sim.sim_process->running()
               ? std::string()
               : " (the simulator is no longer running: killed from outside?)";
}

CycleResult full_cycle(test::SimFixture& sim, const mynaportal::PollSettings& s, int n,
                       std::uint64_t bytes) {
    test::QueueFixture qf;
    CycleResult out;
    out.rss_kib.push_back(vm_kib("VmRSS"));
    const auto record_from = std::filesystem::file_size(sim.record);
    RssSampler sampler(sim.record, n);
    const auto t0 = Clock::now();
    {
        StderrToFile logs(sim.dir / "bench.log");
        out.report = test::poll(*qf.q, s);
    }
    out.rate = {seconds_since(t0), static_cast<int>(out.report.taken), bytes};
    const auto during = sampler.stop();
    out.rss_kib.insert(out.rss_kib.end(), during.begin(), during.end());
    out.rss_kib.push_back(vm_kib("VmRSS"));
    if (!out.report.ok() || out.report.taken != n)
        throw std::runtime_error("poll cycle failed: " + out.report.error + why(sim));
    out.phases = phases_of(recorded_since(sim, record_from));
    return out;
}

double ours_downloads(test::SimFixture& sim, const mynaportal::PollSettings& s,
                      const std::vector<mynaportal::Filing>& filings) {
    test::QueueFixture qf;  // a fresh queue: the items are new to it, as in the cycle
    StderrToFile logs(sim.dir / "bench.log");
    return run_io(download_all(s, filings, *qf.q));
}

// --- curl, the reference ---------------------------------------------------------------

std::string uuid_v4() {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        throw std::runtime_error("RAND_bytes failed");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

// The first line of a child's complaint: curl repeats its error for every URL.
std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// test::run execs without a PATH search.
std::string find_curl() {
    std::istringstream path(std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin");
    for (std::string dir; std::getline(path, dir, ':');) {
        const auto candidate = std::filesystem::path(dir) / "curl";
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
    }
    throw std::runtime_error("curl not found in PATH");
}

struct Curl {
    std::string program = find_curl();
    std::string base_url;
    std::vector<std::string> common;  // TLS material and the headers our client sends too
    std::string token;
    std::string tls;  // what the login negotiated, from -v

    explicit Curl(const test::SimFixture& sim)
        : base_url("https://127.0.0.1:" + std::to_string(sim.port)),
          common{program,    "-sS",
                 "--cacert", (sim.dir / "server-ca.pem").string(),
                 "--cert",   (sim.dir / "client.pem").string(),
                 "--key",    (sim.dir / "client.key").string(),
                 "-H",       "User-Agent: sekisho/bench",
                 "-H",       "X-Request-Id: " + uuid_v4()} {}
};

// The password goes in a 0600 file, not on the command line where ps would show it.
void curl_login(Curl& curl, const test::SimFixture& sim) {
    std::string password = test::read_file(sim.dir / "password");
    if (!password.empty() && password.back() == '\n')
        password.pop_back();
    const boost::json::object body{{"user_id", "K1234567"}, {"password", password}};
    test::write_file(sim.dir / "login.json", boost::json::serialize(body), 0600);
    auto argv = curl.common;
    argv.insert(argv.end(),
                {"-v", "-H", "Content-Type: application/json", "--data-binary",
                 "@" + (sim.dir / "login.json").string(), curl.base_url + "/v1/auth/login"});
    const auto done = test::run(argv);
    if (done.exit_code != 0)
        throw std::runtime_error("curl login failed: " + done.err);
    curl.token = boost::json::parse(done.out).at("access_token").as_string().c_str();
    const std::string marker = "SSL connection using ";
    const auto at = done.err.find(marker);
    if (at != std::string::npos)
        curl.tls =
            done.err.substr(at + marker.size(), done.err.find('\n', at) - at - marker.size());
}

// One config file for all packages: one curl process, sequential transfers, and the
// Bearer token off the command line.
std::filesystem::path curl_config(const Curl& curl, const test::SimFixture& sim,
                                  const std::vector<mynaportal::Filing>& filings) {
    std::string text = "header = \"Authorization: Bearer " + curl.token + "\"\n";
    text +=
        "write-out = \"%{http_code} %{size_download} %{num_connects} %{time_starttransfer} "
        "%{time_total}\\n\"\n";
    for (const auto& f : filings) {
        text += "url = \"" + curl.base_url + "/v1/filings/" + f.arrive_id + "/package\"\n";
        text += "output = \"/dev/null\"\n";
    }
    const auto path = sim.dir / "curl.config";
    test::write_file(path, text, 0600);
    return path;
}

struct CurlRun {
    double seconds = 0;
    int ok = 0;
    std::uint64_t bytes = 0;
    int connects = 0;
    std::vector<double> first_byte_s;  // per transfer, from the request to the first byte
    std::vector<double> last_byte_s;   // per transfer, from the request to the last byte
};

// One line of curl's write-out into the run's totals.
void add_transfer(CurlRun& r, const std::string& line) {
    int status = 0;
    unsigned long long size = 0;
    int connects = 0;
    double first = 0;
    double total = 0;
    if (std::sscanf(line.c_str(), "%d %llu %d %lf %lf", &status, &size, &connects, &first,
                    &total) != 5) {
        return;
    }
    r.ok += status == 200 ? 1 : 0;
    r.bytes += size;
    r.connects += connects;
    // time_pretransfer is ~0 on a reused connection, so these are the server's latency.
    r.first_byte_s.push_back(first);
    r.last_byte_s.push_back(total);
}

// `parallel` > 1: that many transfers at once, each on its own connection (HTTP/1.1).
CurlRun curl_downloads(test::SimFixture& sim, const Curl& curl, const std::filesystem::path& config,
                       std::size_t parallel = 1) {
    auto argv = curl.common;
    argv.insert(argv.end(), {"--config", config.string()});
    if (parallel > 1) {
        argv.insert(argv.end(), {"--parallel", "--parallel-immediate", "--parallel-max",
                                 std::to_string(parallel)});
    }
    const auto t0 = Clock::now();
    const auto done = test::run(argv);
    CurlRun r;
    r.seconds = seconds_since(t0);
    if (done.exit_code != 0)
        throw std::runtime_error("curl failed: " + first_line(done.err) + why(sim));
    std::istringstream lines(done.out);
    for (std::string line; std::getline(lines, line);)
        add_transfer(r, line);
    return r;
}

// --- output ------------------------------------------------------------------------------

void print_rss(const std::vector<long>& kib) {
    std::printf("VmRSS of this process (our client runs in it) over the full cycle:");
    // before, one sample per quarter of the downloads, after (fewer only if it stopped early)
    for (std::size_t i = 0; i < kib.size(); ++i) {
        const std::string label = i == 0                ? "before"
                                  : i + 1 == kib.size() ? "after"
                                                        : std::to_string(25 * i) + "%";
        std::printf(" %s %.1f MiB%s", label.c_str(), kib[i] * 1024 / kMiB,
                    i + 1 < kib.size() ? "," : "\n");
    }
    std::printf(
        "  growth before -> after: %+.1f MiB; peak (VmHWM, whole process so far): %.1f MiB\n",
        (kib.back() - kib.front()) * 1024 / kMiB, vm_kib("VmHWM") * 1024 / kMiB);
}

void print_phases(const Phases& p) {
    std::printf(
        "  where it went (simulator's record, ms clock): login + listing %.2f s; package GET "
        "to its `downloaded` (transfer, seal, durable commit) %.2f s; `downloaded` to the next "
        "GET (answer, confirm in the queue, log) %.2f s; notices %.2f s\n",
        p.listing_s, p.fetch_s, p.mark_s, p.notices_s);
}

void print_cycle_scope(const mynaportal::CycleReport& r, std::uint64_t page_size) {
    std::printf(
        "  full cycle = login, %lld listed over %llu-per-page list requests, %lld packages "
        "downloaded and each sealed and committed durably to the queue, %lld `downloaded` "
        "calls, %lld received notices (the poller sends at most 500 per cycle), logout\n",
        static_cast<long long>(r.listed), static_cast<unsigned long long>(page_size),
        static_cast<long long>(r.taken), static_cast<long long>(r.taken),
        static_cast<long long>(r.notices_sent));
}

struct Comparison {
    std::vector<double> ours_s;
    std::vector<double> curl_s;
    std::vector<double> curl_parallel_s;  // empty when our client uses one connection
    CurlRun last_curl;
    CurlRun last_curl_parallel;
};

// Alternating rounds, at least one, as many as the budget allows.
Comparison compare(test::SimFixture& sim, const mynaportal::PollSettings& s,
                   const std::vector<mynaportal::Filing>& filings, const Curl& curl,
                   std::uint64_t bytes, Clock::time_point started) {
    const auto config = curl_config(curl, sim, filings);
    Comparison c;
    for (int round = 0; round < kMaxRounds; ++round) {
        const auto t0 = Clock::now();
        c.ours_s.push_back(ours_downloads(sim, s, filings));
        c.last_curl = curl_downloads(sim, curl, config);
        if (c.last_curl.ok != static_cast<int>(filings.size()) || c.last_curl.bytes != bytes)
            throw std::runtime_error("curl did not get every package in full");
        c.curl_s.push_back(c.last_curl.seconds);
        if (s.concurrency > 1) {
            c.last_curl_parallel = curl_downloads(sim, curl, config, s.concurrency);
            if (c.last_curl_parallel.ok != static_cast<int>(filings.size()) ||
                c.last_curl_parallel.bytes != bytes)
                throw std::runtime_error("parallel curl did not get every package in full");
            c.curl_parallel_s.push_back(c.last_curl_parallel.seconds);
        }
        if (seconds_since(started) + seconds_since(t0) > kBudgetSeconds)
            break;
    }
    return c;
}

// What the server itself costs per package, so a figure bounded by it reads as such.
void print_server_latency(const CurlRun& r) {
    const double first = median(r.first_byte_s) * 1000;
    const double last = median(r.last_byte_s) * 1000;
    std::printf(
        "per package as curl saw it (median, last round): first byte after %.2f ms, last byte "
        "after %.2f ms\n",
        first, last);
    if (last - first > 20) {
        std::printf(
            "  NOTE: the simulator holds each body back ~%.0f ms after its headers (Nagle on a "
            "socket without TCP_NODELAY, waiting for the client's delayed ACK): every client "
            "pays it, and it bounds every rate above\n",
            last - first);
    }
}

void print_comparison(const CycleResult& cycle, const Comparison& c, int n, std::uint64_t bytes,
                      std::uint64_t page_size, std::size_t concurrency) {
    const Rate ours_dl{median(c.ours_s), n, bytes};
    const Rate curl_dl{median(c.curl_s), n, bytes};
    print_rate("ours, full poll cycle:", cycle.rate);
    print_cycle_scope(cycle.report, page_size);
    std::printf("  over %zu connection(s) at once under one login\n", concurrency);
    print_phases(cycle.phases);
    print_rate("ours, downloads only (median):", ours_dl);
    std::printf(
        "  downloads only = TLS connects + %d package GETs over %zu connection(s) at once, "
        "each streamed into a queue item committed durably (login untimed)\n",
        n, concurrency);
    print_rate("curl (median):", curl_dl);
    std::printf(
        "  curl = one process, %d sequential GETs to /dev/null over %d connection(s), process "
        "start and TLS connect included (login untimed)\n",
        n, c.last_curl.connects);
    if (!c.curl_parallel_s.empty()) {
        const Rate curl_par{median(c.curl_parallel_s), n, bytes};
        print_rate("curl --parallel (median):", curl_par);
        std::printf(
            "  curl --parallel = the same, at most %zu transfers at once over %d connection(s)\n",
            concurrency, c.last_curl_parallel.connects);
        std::printf(
            "ratio ours/curl --parallel (same connection count): full cycle %.2f, "
            "downloads only %.2f\n",
            cycle.rate.per_second() / curl_par.per_second(),
            ours_dl.per_second() / curl_par.per_second());
    }
    std::printf("rounds of downloads-only and curl, alternating: %zu\n", c.ours_s.size());
    print_server_latency(c.last_curl);
    std::printf(
        "ratio ours/curl, the goal's reference (>= 0.8): full cycle %.2f, downloads only %.2f\n",
        cycle.rate.per_second() / curl_dl.per_second(),
        ours_dl.per_second() / curl_dl.per_second());
    print_rss(cycle.rss_kib);
}

void run(int n, std::size_t size, std::size_t concurrency) {
    const auto started = Clock::now();
    const std::uint64_t bytes = static_cast<std::uint64_t>(n) * size;
    std::printf(
        "bench/mynaportal: %d filings x %zu bytes, sekisho-sim mynaportal on 127.0.0.1, "
        "mutual TLS\n",
        n, size);
    std::fflush(stdout);
    test::SimFixture sim;
    sim.add_filings(n, size);
    sim.start();
    auto settings = sim.settings();
    if (concurrency > 0)
        settings.concurrency = concurrency;
    const auto filings = run_io(list_all(settings));
    Curl curl(sim);
    curl_login(curl, sim);
    std::printf("TLS negotiated by default: ours %s; curl %s\n",
                negotiated(settings.tls->native(), sim.port).c_str(), curl.tls.c_str());
    std::fflush(stdout);
    const auto cycle = full_cycle(sim, settings, n, bytes);
    const auto comparison = compare(sim, settings, filings, curl, bytes, started);
    print_comparison(cycle, comparison, n, bytes, settings.page_size, settings.concurrency);
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    const std::size_t size = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 50'000;
    // 0: the poller's default.
    const std::size_t concurrency = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 0;
    if (n <= 0 || size < 32 || concurrency > mynaportal::kMaxConcurrency || argc > 4) {
        std::fprintf(stderr,
                     "usage: bench_mynaportal [FILINGS (>0) [SIZE (>=32 bytes) [CONCURRENCY "
                     "(1..%zu)]]]\n",
                     mynaportal::kMaxConcurrency);
        return 2;
    }
    // Caught, so the simulator is stopped and the temporary directory removed.
    try {
        run(n, size, concurrency);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_mynaportal: %s\n", e.what());
        return 1;
    }
}

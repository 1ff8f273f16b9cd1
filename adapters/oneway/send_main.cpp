// sekisho-send: the one-way sender (PROTOCOL.md). `--once PATH…` sends files and exits
// (link tests, benchmarks); `--from-daemon` is the process sekishod runs, taking released
// items on standard input (send_stream.hpp). Its socket is never read.

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <future>
#include <iostream>
#include <thread>

#include "adapters/oneway/send_stream.hpp"
#include "adapters/oneway/sender.hpp"
#include "common/digest.hpp"
#include "common/log.hpp"
#include "common/version.hpp"
#include "config/check.hpp"

using namespace sekisho;

namespace {

constexpr char kName[] = "sekisho-send";
constexpr int kClosingHeartbeats = 3;

// A file mapped read-only for as long as it is sent.
class MappedFile {
  public:
    explicit MappedFile(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            const int saved = errno;
            if (fd >= 0)
                ::close(fd);
            throw std::system_error(saved ? saved : EINVAL, std::generic_category(),
                                    "not a readable regular file: " + path);
        }
        size_ = static_cast<std::size_t>(st.st_size);
        if (size_ > 0)
            data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        ::close(fd);
        if (data_ == MAP_FAILED)
            throw std::system_error(errno, std::generic_category(), "mmap " + path);
    }
    ~MappedFile() {
        if (data_ != nullptr && data_ != MAP_FAILED)
            ::munmap(data_, size_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    oneway::ByteView bytes() const { return {static_cast<const std::uint8_t*>(data_), size_}; }

  private:
    void* data_ = nullptr;
    std::size_t size_ = 0;
};

oneway::SenderOptions sender_options(const config::Settings& s) {
    oneway::SenderOptions o;
    o.destination = s.oneway.destination;
    o.rate_bps = s.oneway.rate_bps;
    o.fec_data = static_cast<int>(s.oneway.fec_data);
    o.fec_parity = static_cast<int>(s.oneway.fec_parity);
    o.repeat = static_cast<int>(s.oneway.repeat);
    return o;
}

config::SecretBytes oneway_key(const config::Settings& s) {
    const config::SecretRules rules{.owner = ::geteuid(), .max_size = 32, .exact_size = 32};
    return config::load_secret(s.keys.oneway_key, rules);
}

// A file mapped and hashed, ready to go: done for the next file while this one is sent,
// so that the link does not wait for the hash.
struct Prepared {
    oneway::TransferId id = oneway::new_transfer_id();
    std::string path;
    std::unique_ptr<MappedFile> file;
    std::array<std::uint8_t, 32> digest{};
    std::string error;
};

Prepared prepare(const std::string& path) {
    Prepared p;
    p.path = path;
    try {
        p.file = std::make_unique<MappedFile>(path);
        const auto d = sha256(p.file->bytes());
        std::copy(d.begin(), d.end(), p.digest.begin());
    } catch (const std::system_error& e) {
        p.error = e.what();
    }
    return p;
}

std::string file_manifest(const Prepared& p) {
    boost::json::object m;
    m["id"] = oneway::to_string(p.id);
    m["kind"] = "file";
    m["size"] = p.file->bytes().size();
    m["sha256"] = hex_lower(p.digest);
    return boost::json::serialize(m);
}

int send_files(const config::Settings& s, const std::vector<std::string>& paths) {
    const oneway::SenderLock lock(s.daemon.state_dir);
    oneway::Sender sender(oneway_key(s), sender_options(s),
                          oneway::new_session_number(s.daemon.state_dir / "oneway-session"));
    sender.heartbeat();
    int failures = 0;
    auto next = std::async(std::launch::async, prepare, paths.front());
    for (std::size_t i = 0; i < paths.size(); ++i) {
        Prepared p = next.get();
        if (i + 1 < paths.size())
            next = std::async(std::launch::async, prepare, paths[i + 1]);
        if (!p.error.empty()) {
            sender.abandon(p.id);
            std::cerr << kName << ": " << p.error << "\n";
            ++failures;
            continue;
        }
        sender.send({p.id, file_manifest(p), p.file->bytes(), p.digest});
        std::cout << oneway::to_string(p.id) << " " << p.path << "\n" << std::flush;
    }
    // The receiver learns what ended from heartbeats: a few, in case one is lost.
    for (int i = 0; i < kClosingHeartbeats; ++i) {
        sender.heartbeat();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const auto& c = sender.counters();
    std::cerr << kName << ": sent " << c.transfers << " transfer(s), " << c.datagrams
              << " datagrams, " << c.bytes << " bytes, " << c.send_errors
              << " refused by the local stack\n";
    return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    po::options_description opts(
        "Usage: sekisho-send [-c FILE] (--once PATH... | --from-daemon | --check-config)");
    opts.add_options()("once", po::value<std::vector<std::string>>()->multitoken(),
                       "send these files and exit")("from-daemon",
                                                    "take items from sekishod on standard input");
    po::variables_map vm;
    if (const auto done =
            config::parse_command_line(argc, argv, kName, "/etc/sekisho/sekishod.toml", opts, vm))
        return *done;
    const auto result =
        config::load_settings(vm["config"].as<std::string>(), config::Program::sender);
    if (vm.count("check-config"))
        return config::report_check(result);
    if (vm.count("once") == vm.count("from-daemon")) {
        std::cerr << kName << ": give either --once PATH... or --from-daemon\n" << opts;
        return 2;
    }
    log::init(kName);
    // sekishod gone: the write of an answer fails with EPIPE and the sender ends cleanly.
    ::signal(SIGPIPE, SIG_IGN);
    if (!result.ok()) {
        config::print_problems(result);
        return 1;
    }
    log::set_threshold(result.settings->daemon.log_level);
    try {
        if (vm.count("once"))
            return send_files(*result.settings, vm["once"].as<std::vector<std::string>>());
        const oneway::SenderLock lock(result.settings->daemon.state_dir);
        oneway::Sender sender(
            oneway_key(*result.settings), sender_options(*result.settings),
            oneway::new_session_number(result.settings->daemon.state_dir / "oneway-session"));
        return oneway::serve_daemon_stream(sender, STDIN_FILENO, STDOUT_FILENO);
    } catch (const std::exception& e) {
        log::critical("sender stopped on an error", {{"reason", e.what()}});
        return 1;
    }
}

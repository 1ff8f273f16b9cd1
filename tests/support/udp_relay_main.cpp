// oneway_relay: a UDP relay that stands in for a misbehaving one-way link in tests. It
// forwards every datagram received on --listen to --to, holding some back (reordering) and
// sending some twice (duplication) on request. It only ever sends to --to, from a socket of
// its own: nothing goes back to the source.
//
// usage: oneway_relay --listen ADDR:PORT --to ADDR:PORT [--reorder P] [--window N]
//                     [--duplicate P] [--seed N] [--stats FILE]
// On SIGTERM or SIGINT it releases what it holds, writes its counters to --stats (or
// stderr) and exits 0. Exit 2 on bad arguments, 1 on other errors.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <list>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: oneway_relay --listen ADDR:PORT --to ADDR:PORT [--reorder P] [--window N]\n"
    "                    [--duplicate P] [--seed N] [--stats FILE]\n"
    "  --listen    IPv4 address and port to receive on (port 0: any free port)\n"
    "  --to        IPv4 address and port to forward to\n"
    "  --reorder   probability that a datagram is held back (default 0)\n"
    "  --window    a held datagram goes out after 1..N later ones (default 8)\n"
    "  --duplicate probability that a datagram is sent twice (default 0)\n"
    "  --seed      seed of the random choices (default: random)\n"
    "  --stats     where the counters go on SIGTERM/SIGINT (default: stderr)\n";
constexpr int kBatch = 64;
constexpr std::size_t kMaxDatagram = 65536;
constexpr int kFlushAfterMs = 50;
constexpr int kSocketBuffer = 64 << 20;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

// --- arguments ----------------------------------------------------------------------

struct Options {
    sockaddr_in listen{};
    sockaddr_in to{};
    double reorder = 0;
    double duplicate = 0;
    unsigned window = 8;
    std::optional<std::uint64_t> seed;
    std::string stats_file;
};

template <class T>
bool parse_whole(std::string_view text, T& out) {
    const char* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, out);
    return !text.empty() && r.ec == std::errc() && r.ptr == end;
}

sockaddr_in parse_endpoint(const std::string& option, const std::string& text, bool any_port) {
    const auto colon = text.rfind(':');
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    unsigned port = 0;
    const bool ok = colon != std::string::npos &&
                    ::inet_pton(AF_INET, text.substr(0, colon).c_str(), &sa.sin_addr) == 1 &&
                    parse_whole(std::string_view(text).substr(colon + 1), port) && port <= 65535 &&
                    (port != 0 || any_port);
    if (!ok)
        throw UsageError(option + " wants IPV4:PORT, got \"" + text + "\"");
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    return sa;
}

double parse_probability(const std::string& option, const std::string& text) {
    double p = -1;
    if (!parse_whole(text, p) || !(p >= 0.0 && p <= 1.0))
        throw UsageError(option + " wants a probability from 0 to 1, got \"" + text + "\"");
    return p;
}

template <class T>
T parse_count(const std::string& option, const std::string& text, T min) {
    T value{};
    if (!parse_whole(text, value) || value < min)
        throw UsageError(option + " wants a whole number >= " + std::to_string(min) + ", got \"" +
                         text + "\"");
    return value;
}

void apply_option(Options& o, const std::string& name, const std::string& value) {
    if (name == "--listen")
        o.listen = parse_endpoint(name, value, true);
    else if (name == "--to")
        o.to = parse_endpoint(name, value, false);
    else if (name == "--reorder")
        o.reorder = parse_probability(name, value);
    else if (name == "--duplicate")
        o.duplicate = parse_probability(name, value);
    else if (name == "--window")
        o.window = parse_count<unsigned>(name, value, 1);
    else if (name == "--seed")
        o.seed = parse_count<std::uint64_t>(name, value, 0);
    else if (name == "--stats")
        o.stats_file = value;
    else
        throw UsageError("unknown option \"" + name + "\"");
}

Options parse_args(const std::vector<std::string>& args) {
    Options o;
    bool listen = false;
    bool to = false;
    for (std::size_t i = 0; i < args.size(); i += 2) {
        if (i + 1 >= args.size())
            throw UsageError(args[i] + " needs a value");
        apply_option(o, args[i], args[i + 1]);
        listen = listen || args[i] == "--listen";
        to = to || args[i] == "--to";
    }
    if (!listen || !to)
        throw UsageError("--listen and --to are required");
    return o;
}

std::string endpoint_text(const sockaddr_in& sa) {
    char addr[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
    return std::string(addr) + ":" + std::to_string(ntohs(sa.sin_port));
}

// --- relaying -----------------------------------------------------------------------

struct Stats {
    std::uint64_t received = 0;
    std::uint64_t forwarded = 0;  // datagrams sent to --to, second copies included
    std::uint64_t reordered = 0;
    std::uint64_t duplicated = 0;
};

// Portable draws from a fixed engine: the same seed gives the same choices everywhere
// (std's distributions may differ between standard libraries).
class Random {
  public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    double unit() { return static_cast<double>(engine_() >> 11) * 0x1p-53; }
    unsigned below(unsigned n) { return static_cast<unsigned>(engine_() % n); }

  private:
    std::mt19937_64 engine_;
};

class Relay {
  public:
    Relay(const Options& options, int out, std::uint64_t seed)
        : options_(options), out_(out), random_(seed) {}

    void on_datagram(std::string_view data);
    void flush();  // releases every held datagram, oldest first
    bool holding() const { return !held_.empty(); }
    const Stats& stats() const { return stats_; }

  private:
    struct Held {
        std::string data;
        unsigned later_to_wait;  // later datagrams still to come before this one goes
        bool twice;
    };
    void release_due();
    void forward(std::string_view data, bool twice);
    void send_one(std::string_view data);

    const Options& options_;
    int out_;
    Random random_;
    std::list<Held> held_;
    Stats stats_;
    bool send_error_reported_ = false;
};

void Relay::on_datagram(std::string_view data) {
    ++stats_.received;
    // Always three draws per datagram, so one seed gives one sequence of choices.
    const bool hold = random_.unit() < options_.reorder;
    const bool twice = random_.unit() < options_.duplicate;
    const unsigned wait = 1 + random_.below(options_.window);
    stats_.duplicated += twice ? 1 : 0;
    for (auto& h : held_)
        --h.later_to_wait;
    if (hold) {
        held_.push_back({std::string(data), wait, twice});
        ++stats_.reordered;
    } else {
        forward(data, twice);
    }
    release_due();  // after the new datagram: that is what puts them out of order
}

void Relay::release_due() {
    for (auto it = held_.begin(); it != held_.end();) {
        if (it->later_to_wait == 0) {
            forward(it->data, it->twice);
            it = held_.erase(it);
        } else {
            ++it;
        }
    }
}

void Relay::flush() {
    for (const auto& h : held_)
        forward(h.data, h.twice);
    held_.clear();
}

void Relay::forward(std::string_view data, bool twice) {
    send_one(data);
    if (twice)
        send_one(data);
}

void Relay::send_one(std::string_view data) {
    const auto* to = reinterpret_cast<const sockaddr*>(&options_.to);
    ssize_t n = -1;
    do {
        n = ::sendto(out_, data.data(), data.size(), 0, to, sizeof options_.to);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        ++stats_.forwarded;
    } else if (!send_error_reported_) {
        // A lost datagram is what a link does; say it once, the counters tell the rest.
        std::cerr << "oneway_relay: send to " << endpoint_text(options_.to)
                  << " failed: " << std::strerror(errno) << " (not reported again)\n";
        send_error_reported_ = true;
    }
}

// --- sockets, signals and the loop --------------------------------------------------

// SO_*BUFFORCE ignores net.core.[rw]mem_max but needs CAP_NET_ADMIN; without it the
// kernel caps the plain option at the limit.
void grow_buffer(int fd, int force_option, int option) {
    if (::setsockopt(fd, SOL_SOCKET, force_option, &kSocketBuffer, sizeof kSocketBuffer) != 0)
        ::setsockopt(fd, SOL_SOCKET, option, &kSocketBuffer, sizeof kSocketBuffer);
}

int udp_socket() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw sys_error("socket");
    return fd;
}

int listening_socket(sockaddr_in& where) {
    const int fd = udp_socket();
    grow_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    socklen_t len = sizeof where;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&where), sizeof where) != 0)
        throw sys_error("cannot listen on " + endpoint_text(where));
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&where), &len);  // the port 0 chose
    return fd;
}

// Blocked and read from a descriptor: a signal between two polls cannot be missed.
int signal_descriptor() {
    sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, SIGTERM);
    ::sigaddset(&set, SIGINT);
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
        throw sys_error("sigprocmask");
    const int fd = ::signalfd(-1, &set, SFD_CLOEXEC);
    if (fd < 0)
        throw sys_error("signalfd");
    return fd;
}

class Batch {
  public:
    Batch() : storage_(kBatch * kMaxDatagram) {
        for (int i = 0; i < kBatch; ++i) {
            iov_[i] = {storage_.data() + i * kMaxDatagram, kMaxDatagram};
            headers_[i] = {};
            headers_[i].msg_hdr.msg_iov = &iov_[i];
            headers_[i].msg_hdr.msg_iovlen = 1;
        }
    }
    // Hands every waiting datagram (up to kBatch) to the relay.
    void receive(int fd, Relay& relay) {
        const int n = ::recvmmsg(fd, headers_, kBatch, MSG_DONTWAIT, nullptr);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            throw sys_error("recvmmsg");
        for (int i = 0; i < n; ++i)
            relay.on_datagram({storage_.data() + i * kMaxDatagram, headers_[i].msg_len});
    }

  private:
    std::vector<char> storage_;
    iovec iov_[kBatch];
    mmsghdr headers_[kBatch];
};

// Until SIGTERM/SIGINT; after 50 quiet milliseconds whatever is held goes out.
void serve(int in, int signals, Relay& relay) {
    Batch batch;
    pollfd fds[2] = {{in, POLLIN, 0}, {signals, POLLIN, 0}};
    for (;;) {
        const int ready = ::poll(fds, 2, relay.holding() ? kFlushAfterMs : -1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            throw sys_error("poll");
        if (ready == 0)
            relay.flush();
        if (fds[1].revents & POLLIN)
            return;
        if (fds[0].revents & POLLIN)
            batch.receive(in, relay);
    }
}

void write_stats(const Stats& s, const std::string& file) {
    std::ostringstream text;
    text << "received " << s.received << "\nforwarded " << s.forwarded << "\nreordered "
         << s.reordered << "\nduplicated " << s.duplicated << "\n";
    if (file.empty()) {
        std::cerr << text.str();
        return;
    }
    std::ofstream out(file, std::ios::trunc);
    out << text.str() << std::flush;
    if (!out)
        throw std::runtime_error("cannot write the stats to " + file);
}

std::uint64_t pick_seed(const Options& o) {
    if (o.seed)
        return *o.seed;
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) | device();
}

int relay_until_signal(Options o) {
    const int signals = signal_descriptor();  // first: a SIGTERM from now on is not lost
    const int in = listening_socket(o.listen);
    const int out = udp_socket();
    grow_buffer(out, SO_SNDBUFFORCE, SO_SNDBUF);
    // Tests wait for this line before sending.
    std::cerr << "oneway_relay: listening on " << endpoint_text(o.listen) << ", forwarding to "
              << endpoint_text(o.to) << std::endl;
    Relay relay(o, out, pick_seed(o));
    serve(in, signals, relay);
    relay.flush();
    write_stats(relay.stats(), o.stats_file);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return 0;
    }
    Options options;
    try {
        options = parse_args(args);
    } catch (const UsageError& e) {
        std::cerr << "oneway_relay: " << e.what() << "\n" << kUsage;
        return 2;
    }
    try {
        return relay_until_signal(options);
    } catch (const std::exception& e) {
        std::cerr << "oneway_relay: " << e.what() << "\n";
        return 1;
    }
}

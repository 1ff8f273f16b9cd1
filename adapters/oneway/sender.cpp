#include "adapters/oneway/sender.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/udp.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <thread>

#include "common/atomic_file.hpp"
#include "common/digest.hpp"
#include "common/log.hpp"

namespace sekisho::oneway {
namespace {

constexpr std::size_t kBatch = 64;
constexpr std::uint64_t kStripeGroups = 8;
constexpr std::uint64_t kShardsPerHeader = 64;
constexpr std::uint64_t kHeartbeatCheckEvery = 16;
constexpr std::size_t kHistoryEvery = 16;
constexpr std::uint64_t kUdpIpOverhead = 28;
constexpr int kSendBuffer = 4 << 20;

std::pair<sockaddr_storage, socklen_t> resolve(const std::string& destination) {
    const auto colon = destination.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("oneway destination must be host:port: " + destination);
    std::string host = destination.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    const int rc =
        ::getaddrinfo(host.c_str(), destination.substr(colon + 1).c_str(), &hints, &found);
    if (rc != 0)
        throw std::runtime_error("oneway destination " + destination + ": " + gai_strerror(rc));
    std::pair<sockaddr_storage, socklen_t> out{};
    std::memcpy(&out.first, found->ai_addr, found->ai_addrlen);
    out.second = found->ai_addrlen;
    ::freeaddrinfo(found);
    return out;
}

std::string host_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0)
        return "sekisho";
    std::string name(buf.data());
    return name.substr(0, kMaxSenderName);
}

// Whether the kernel segments UDP for us (Linux 4.18+); asked once with a socket option
// that is then cleared, so that only the messages that ask for it are segmented.
bool gso_supported(int fd) {
    std::uint16_t size = 1400;
    if (::setsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, sizeof size) != 0)
        return false;
    size = 0;
    return ::setsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, sizeof size) == 0;
}

ByteView view(const Bytes& b) {
    return {b.data(), b.size()};
}

}  // namespace

// Datagrams waiting for one sendmmsg call. Runs of datagrams of the same size (the
// shards) go as one UDP GSO message each when the kernel offers it (UDP_SEGMENT): the
// stack then handles a run as one packet as far down as it can, which is most of what a
// datagram costs the sender.
class Sender::Batch {
  public:
    Batch() {
        for (auto& b : buffers_)
            b.reserve(kMaxDatagram);
    }
    bool full() const { return used_ == kBatch; }
    bool empty() const { return used_ == 0; }
    Bytes& next() { return buffers_[used_++]; }
    std::uint64_t wire_bytes() const {
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < used_; ++i)
            n += buffers_[i].size() + kUdpIpOverhead;
        return n;
    }
    // Sends everything; returns the number of datagrams the kernel refused. A GSO message
    // the kernel cannot segment (no checksum offload on the way out, IPsec) turns `gso`
    // off and its datagrams, and the rest, go one by one.
    std::size_t send(int fd, const sockaddr_storage& dest, socklen_t dest_len, bool& gso) {
        std::size_t refused = 0;
        std::size_t first = 0;
        while (first < used_) {
            const std::size_t left = send_from(fd, dest, dest_len, gso, first, refused);
            if (left == used_)
                break;
            gso = false;
            log::warning(
                "UDP segmentation offload refused by the kernel; sending datagrams one by one");
            first = left;
        }
        used_ = 0;
        return refused;
    }

  private:
    // Sends datagrams [first, used_); returns used_, or the first datagram of a GSO message
    // the kernel refused with EIO or EINVAL.
    std::size_t send_from(int fd, const sockaddr_storage& dest, socklen_t dest_len, bool gso,
                          std::size_t first, std::size_t& refused) {
        const std::size_t messages = build(dest, dest_len, gso, first);
        std::size_t done = 0;
        while (done < messages) {
            const int n = ::sendmmsg(fd, &msgs_[done], static_cast<unsigned>(messages - done), 0);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS || errno == EAGAIN) {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                continue;
            }
            if (segments_[done] > 1 && (errno == EIO || errno == EINVAL))
                return starts_[done];
            // Refused by the local stack (a firewall rule, no route): the datagrams are
            // lost like any others; the receiver names what it then misses.
            refused += segments_[done];
            ++done;
        }
        return used_;
    }

    // One message per datagram, or per run of equal-sized ones with GSO.
    std::size_t build(const sockaddr_storage& dest, socklen_t dest_len, bool gso,
                      std::size_t first) {
        std::size_t messages = 0;
        for (std::size_t i = first; i < used_;) {
            const std::size_t size = buffers_[i].size();
            std::size_t run = 1;
            while (gso && i + run < used_ && buffers_[i + run].size() == size &&
                   (run + 1) * size <= kMaxGsoBytes)
                ++run;
            for (std::size_t k = 0; k < run; ++k)
                iov_[i + k] = {buffers_[i + k].data(), size};
            mmsghdr& m = msgs_[messages];
            m = {};
            m.msg_hdr.msg_name = const_cast<sockaddr_storage*>(&dest);
            m.msg_hdr.msg_namelen = dest_len;
            m.msg_hdr.msg_iov = &iov_[i];
            m.msg_hdr.msg_iovlen = run;
            if (run > 1)
                set_segment_size(m, messages, static_cast<std::uint16_t>(size));
            segments_[messages] = run;
            starts_[messages] = i;
            ++messages;
            i += run;
        }
        return messages;
    }

    void set_segment_size(mmsghdr& m, std::size_t index, std::uint16_t size) {
        auto& space = control_[index];
        m.msg_hdr.msg_control = space.bytes;
        m.msg_hdr.msg_controllen = sizeof space.bytes;
        cmsghdr* c = CMSG_FIRSTHDR(&m.msg_hdr);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
        std::memcpy(CMSG_DATA(c), &size, sizeof size);
    }

    static constexpr std::size_t kMaxGsoBytes = 60000;  // under the 64 KiB of one IP packet
    std::array<Bytes, kBatch> buffers_;
    std::array<iovec, kBatch> iov_{};
    std::array<mmsghdr, kBatch> msgs_{};
    std::array<std::size_t, kBatch> segments_{};
    std::array<std::size_t, kBatch> starts_{};
    struct alignas(cmsghdr) Control {
        std::uint8_t bytes[CMSG_SPACE(sizeof(std::uint16_t))];
    };
    std::array<Control, kBatch> control_{};
    std::size_t used_ = 0;
};

SenderLock::SenderLock(const std::filesystem::path& state_dir) {
    const auto path = state_dir / "oneway-sender.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot open " + path.string() + " (daemon.state_dir)");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int saved = errno;
        ::close(fd_);
        if (saved == EWOULDBLOCK)
            throw std::runtime_error(
                "another sekisho-send runs on " + state_dir.string() +
                " (sekishod's sender?); two at once would make the receiver drop one "
                "as replays");
        throw std::system_error(saved, std::generic_category(), "flock " + path.string());
    }
}

SenderLock::~SenderLock() {
    if (fd_ >= 0)
        ::close(fd_);
}

std::uint64_t new_session_number(const std::optional<std::filesystem::path>& state_file) {
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::uint64_t session = static_cast<std::uint64_t>(now);
    if (!state_file)
        return session;
    std::uint64_t last = 0;
    if (std::ifstream in(*state_file); in)
        in >> last;
    session = std::max(session, last + 1);
    write_file_atomically(*state_file, std::to_string(session) + "\n");
    return session;
}

Sender::Sender(const config::SecretBytes& oneway_key, SenderOptions options, std::uint64_t session)
    : options_(std::move(options)),
      cipher_(oneway_key, session),
      code_(options_.fec_data, options_.fec_parity),
      bucket_(options_.rate_bps, kBatch * (kMaxDatagram + kUdpIpOverhead)),
      batch_(std::make_unique<Batch>()) {
    if (options_.repeat < 1)
        throw std::invalid_argument("oneway repeat must be at least 1");
    if (options_.shard_size == 0 || options_.shard_size > kMaxShardSize)
        throw std::invalid_argument("oneway shard size out of range");
    if (options_.name.empty())
        options_.name = host_name();
    options_.name = options_.name.substr(0, kMaxSenderName);
    std::tie(dest_, dest_len_) = resolve(options_.destination);
    // IPv6 and UDP headers take 48 bytes, not 28: shards shrink so that no datagram
    // exceeds an Ethernet MTU and none is fragmented.
    if (dest_.ss_family == AF_INET6)
        options_.shard_size = std::min<std::uint16_t>(options_.shard_size, kMaxShardSize - 20);
    fd_ = ::socket(dest_.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "oneway sender socket");
    // Unconnected on purpose: a connected UDP socket would report ICMP errors, the one
    // thing that could come back over the link.
    const int size = kSendBuffer;
    (void)::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    const int tiny = 1;
    (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
    ::shutdown(fd_, SHUT_RD);
    gso_ = gso_supported(fd_);
}

Sender::~Sender() {
    try {
        flush();
    } catch (...) {
        // nothing to report to: the link is one-way and the process is going
    }
    if (fd_ >= 0)
        ::close(fd_);
}

std::uint32_t Sender::send(const Outgoing& t) {
    TransferHeader h;
    h.id = t.id;
    h.number = ++transfer_number_;
    h.size = t.bytes.size();
    if (t.sha256) {
        h.sha256 = *t.sha256;
    } else {
        const auto digest = sha256(t.bytes);
        std::copy(digest.begin(), digest.end(), h.sha256.begin());
    }
    h.shard_size = options_.shard_size;
    h.data_shards = static_cast<std::uint8_t>(options_.fec_data);
    h.parity_shards = static_cast<std::uint8_t>(options_.fec_parity);
    h.manifest = t.manifest;
    if (h.manifest.size() > kMaxManifest)
        throw std::invalid_argument("manifest longer than 1,200 bytes");
    for (int round = 0; round < options_.repeat; ++round)
        send_round(h, t.bytes);
    flush();
    ++counters_.transfers;
    ended(h.number, h.id, Outcome::sent);
    return h.number;
}

std::uint32_t Sender::abandon(const TransferId& id) {
    const auto number = ++transfer_number_;
    ended(number, id, Outcome::abandoned);
    return number;
}

void Sender::send_round(const TransferHeader& header, ByteView bytes) {
    header_body_ = encode(header);
    send_header();
    const std::uint64_t groups = header.groups();
    for (std::uint64_t first = 0; first < groups; first += kStripeGroups)
        send_stripe(header, bytes, first, std::min(kStripeGroups, groups - first));
    send_header();
}

void Sender::send_header() {
    const std::array<ByteView, 1> parts{view(header_body_)};
    queue_datagram(Type::transfer_header, parts);
    shards_since_header_ = 0;
}

// The header again every kShardsPerHeader shards, and a heartbeat when one is due, so
// that neither waits for a stripe to end (a stripe is long at low rates).
void Sender::after_shard() {
    if (++shards_since_header_ >= kShardsPerHeader)
        send_header();
    if (counters_.datagrams % kHeartbeatCheckEvery == 0)
        heartbeat_if_due();
}

void Sender::send_stripe(const TransferHeader& header, ByteView bytes, std::uint64_t first_group,
                         std::uint64_t groups) {
    const std::size_t k = header.data_shards;
    const std::size_t m = header.parity_shards;
    const std::size_t len = header.shard_size;
    // Shards that reach past the end are zero-padded copies; the rest point into `bytes`.
    const bool reaches_end = (first_group + groups) * k * len > bytes.size();
    std::vector<std::uint8_t> padded(reaches_end ? groups * k * len : 0);
    parity_.resize(groups * m * len);
    std::vector<std::uint8_t>& parity = parity_;
    std::vector<const std::uint8_t*> data(groups * k);
    std::vector<std::uint8_t*> parity_ptrs(groups * m);
    for (std::uint64_t g = 0; g < groups; ++g) {
        for (std::size_t s = 0; s < k; ++s) {
            const std::uint64_t offset = ((first_group + g) * k + s) * len;
            const std::size_t at = g * k + s;
            if (offset + len <= bytes.size()) {
                data[at] = bytes.data() + offset;
            } else {
                std::uint8_t* dst = padded.data() + at * len;
                if (offset < bytes.size())
                    std::memcpy(dst, bytes.data() + offset, bytes.size() - offset);
                data[at] = dst;
            }
        }
        for (std::size_t p = 0; p < m; ++p)
            parity_ptrs[g * m + p] = parity.data() + (g * m + p) * len;
        code_.encode({data.data() + g * k, k}, {parity_ptrs.data() + g * m, m}, len);
    }
    for (std::size_t index = 0; index < k + m; ++index) {
        for (std::uint64_t g = 0; g < groups; ++g) {
            const std::uint8_t* shard =
                index < k ? data[g * k + index] : parity_ptrs[g * m + index - k];
            const Shard s{header.id,
                          static_cast<std::uint32_t>(first_group + g),
                          static_cast<std::uint8_t>(index),
                          {}};
            const auto prefix = encode_shard_prefix(s);
            const std::array<ByteView, 2> parts{ByteView(prefix), ByteView(shard, len)};
            queue_datagram(Type::shard, parts);
            after_shard();
        }
    }
}

void Sender::queue_datagram(Type type, std::span<const ByteView> parts) {
    Bytes& out = batch_->next();
    cipher_.seal(type, ++sequence_, parts, out);
    ++counters_.datagrams;
    counters_.bytes += out.size();
    // At low rates a whole batch would be a burst longer than the bucket allows.
    if (batch_->full() || static_cast<double>(batch_->wire_bytes()) >= bucket_.capacity())
        flush();
}

void Sender::flush() {
    if (batch_->empty())
        return;
    bucket_.take(batch_->wire_bytes());
    counters_.send_errors += batch_->send(fd_, dest_, dest_len_, gso_);
}

void Sender::ended(std::uint32_t number, const TransferId& id, Outcome outcome) {
    history_.push_back({number, id, outcome});
    while (history_.size() > kMaxHistory)
        history_.pop_front();
    if (++ended_since_heartbeat_ >= static_cast<int>(kHistoryEvery))
        heartbeat();
}

void Sender::heartbeat() {
    Heartbeat h;
    h.sender = options_.name;
    h.counter = ++heartbeat_counter_;
    h.newest_transfer = transfer_number_;
    h.history.assign(history_.begin(), history_.end());
    const Bytes body = encode(h);
    const std::array<ByteView, 1> parts{view(body)};
    queue_datagram(Type::heartbeat, parts);
    flush();
    ++counters_.heartbeats;
    ended_since_heartbeat_ = 0;
    last_heartbeat_ = std::chrono::steady_clock::now();
}

void Sender::heartbeat_if_due() {
    if (std::chrono::steady_clock::now() - last_heartbeat_ >= options_.heartbeat_interval)
        heartbeat();
}

}  // namespace sekisho::oneway

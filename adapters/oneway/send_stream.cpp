#include "adapters/oneway/send_stream.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace sekisho::oneway {
namespace {

constexpr char kItemMagic[] = "SKSD";
constexpr char kSentMagic[] = "SENT";
constexpr int kIdleWaitMs = 1000;

// Reads exactly n bytes; false on end of file before the first byte.
bool read_exact(int fd, std::uint8_t* data, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::read(fd, data + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            throw std::system_error(errno, std::generic_category(), "read from the daemon pipe");
        if (r == 0) {
            if (got == 0)
                return false;
            throw std::runtime_error("the daemon pipe closed in the middle of a frame");
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

void write_all(int fd, const std::uint8_t* data, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            throw std::system_error(errno, std::generic_category(), "write to the sender pipe");
        data += w;
        n -= static_cast<std::size_t>(w);
    }
}

std::uint64_t get_be(const std::uint8_t* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

void put_be(std::uint8_t* p, std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i, v >>= 8)
        p[i] = static_cast<std::uint8_t>(v);
}

TransferId id_of(const boost::json::value& manifest) {
    const auto id = parse_transfer_id(std::string(manifest.at("id").as_string()));
    if (!id)
        throw std::runtime_error("item frame: manifest id is not a UUID");
    return *id;
}

int hex_digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The daemon's digest of the item (taken when it was fetched), so the sender need not
// hash it again; nullopt when the manifest has none.
std::optional<std::array<std::uint8_t, 32>> digest_of(const boost::json::value& manifest) {
    const auto* hex = manifest.as_object().if_contains("sha256");
    if (hex == nullptr || !hex->is_string() || hex->get_string().size() != 64)
        return std::nullopt;
    const std::string_view text = hex->get_string();
    std::array<std::uint8_t, 32> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_digit(text[2 * i]);
        const int lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return out;
}

std::optional<StreamItem> read_item(int fd) {
    std::array<std::uint8_t, 16> head{};
    if (!read_exact(fd, head.data(), head.size()))
        return std::nullopt;
    if (std::memcmp(head.data(), kItemMagic, 4) != 0)
        throw std::runtime_error("item frame: bad magic");
    const auto manifest_len = get_be(head.data() + 4, 4);
    const auto payload_len = get_be(head.data() + 8, 8);
    if (manifest_len > kMaxManifest || payload_len > kMaxTransferSize)
        throw std::runtime_error("item frame: lengths beyond the protocol's limits");
    StreamItem item;
    item.manifest.resize(manifest_len);
    item.payload.resize(payload_len);
    if (!read_exact(fd, reinterpret_cast<std::uint8_t*>(item.manifest.data()), manifest_len) ||
        !read_exact(fd, item.payload.data(), payload_len)) {
        if (manifest_len + payload_len > 0)
            throw std::runtime_error("the daemon pipe closed in the middle of a frame");
    }
    return item;
}

bool wait_readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "poll on the daemon pipe");
    return r > 0;
}

}  // namespace

int serve_daemon_stream(Sender& sender, int in, int out) {
    sender.heartbeat();
    for (;;) {
        if (!wait_readable(in, kIdleWaitMs)) {
            sender.heartbeat_if_due();
            continue;
        }
        auto item = read_item(in);
        if (!item)
            break;
        const auto manifest = boost::json::parse(item->manifest);
        const TransferId id = id_of(manifest);
        const auto number = sender.send({id, item->manifest, item->payload, digest_of(manifest)});
        std::array<std::uint8_t, kSentAnswerBytes> answer{};
        std::memcpy(answer.data(), kSentMagic, 4);
        std::memcpy(answer.data() + 4, id.data(), id.size());
        put_be(answer.data() + 20, number, 4);
        put_be(answer.data() + 24, sender.counters().datagrams, 8);
        put_be(answer.data() + 32, sender.counters().bytes, 8);
        put_be(answer.data() + 40, sender.counters().send_errors, 8);
        write_all(out, answer.data(), answer.size());
        sender.heartbeat_if_due();
    }
    sender.heartbeat();
    return 0;
}

void write_item_frame(int fd, const std::string& manifest, ByteView payload) {
    std::array<std::uint8_t, 16> head{};
    std::memcpy(head.data(), kItemMagic, 4);
    put_be(head.data() + 4, manifest.size(), 4);
    put_be(head.data() + 8, payload.size(), 8);
    write_all(fd, head.data(), head.size());
    write_all(fd, reinterpret_cast<const std::uint8_t*>(manifest.data()), manifest.size());
    write_all(fd, payload.data(), payload.size());
}

std::optional<SentAnswer> read_sent_answer(int fd) {
    std::array<std::uint8_t, kSentAnswerBytes> a{};
    if (!read_exact(fd, a.data(), a.size()))
        return std::nullopt;
    if (std::memcmp(a.data(), kSentMagic, 4) != 0)
        throw std::runtime_error("sender answer: bad magic");
    SentAnswer s;
    std::memcpy(s.id.data(), a.data() + 4, 16);
    s.number = static_cast<std::uint32_t>(get_be(a.data() + 20, 4));
    s.datagrams = get_be(a.data() + 24, 8);
    s.bytes = get_be(a.data() + 32, 8);
    s.refused = get_be(a.data() + 40, 8);
    return s;
}

}  // namespace sekisho::oneway

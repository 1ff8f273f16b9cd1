#include "daemon/inspect/worker_protocol.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>

namespace sekisho::inspect::worker {
namespace {

constexpr char kRequest = 'Q';
constexpr char kAnswer = 'A';
constexpr char kFailure = 'F';
constexpr char kChukanRequest = 'C';
constexpr char kChukanAnswer = 'B';

class Writer {
  public:
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u64(std::uint64_t v) {
        for (int shift = 56; shift >= 0; shift -= 8)
            u8(static_cast<std::uint8_t>(v >> shift));
    }
    void bytes(std::string_view b) {
        u64(b.size());
        out_.append(b);
    }
    void list(const std::vector<std::string>& items) {
        u64(items.size());
        for (const auto& s : items)
            bytes(s);
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

// Reads a message front to back; every length is checked against what is left (and an
// explicit cap) before it is used, so a hostile length cannot cause a large allocation.
class Reader {
  public:
    explicit Reader(std::string_view in) : in_(in) {}

    std::uint8_t u8() {
        need(1);
        const auto v = static_cast<std::uint8_t>(in_[pos_]);
        ++pos_;
        return v;
    }
    std::uint64_t u64() {
        need(8);
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v = (v << 8) | static_cast<std::uint8_t>(in_[pos_ + i]);
        pos_ += 8;
        return v;
    }
    std::string_view bytes(std::size_t cap) {
        const std::uint64_t n = u64();
        if (n > cap)
            throw ProtocolError("worker protocol: a field exceeds its limit");
        need(n);
        const std::string_view v = in_.substr(pos_, n);
        pos_ += n;
        return v;
    }
    std::uint64_t count(std::uint64_t cap) {
        const std::uint64_t n = u64();
        // Every item takes at least its 8-byte length.
        if (n > cap || n > (in_.size() - pos_) / 8)
            throw ProtocolError("worker protocol: a count exceeds its limit");
        return n;
    }
    std::vector<std::string> list(std::size_t item_cap) {
        std::vector<std::string> out(count(kMaxListItems));
        for (auto& s : out)
            s = std::string(bytes(item_cap));
        return out;
    }
    void end() const {
        if (pos_ != in_.size())
            throw ProtocolError("worker protocol: trailing bytes after the message");
    }

  private:
    void need(std::uint64_t n) const {
        if (n > in_.size() - pos_)
            throw ProtocolError("worker protocol: message ends early");
    }
    std::string_view in_;
    std::size_t pos_ = 0;
};

void put_options(Writer& w, const Options& o) {
    w.u64(o.limits.max_package);
    w.u64(o.limits.max_uncompressed);
    w.u64(o.limits.max_csv);
    w.u64(static_cast<std::uint64_t>(o.limits.max_entries));
    w.u64(static_cast<std::uint64_t>(o.limits.max_ratio));
    w.u8(o.auth_method == AuthMethod::gbizid ? 1 : 0);
    w.list(o.mynumber_allowed_forms);
    w.list(o.trust_anchors);
    w.list(o.crls);
    w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(o.now)));
}

std::int64_t non_negative(std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(INT64_MAX))
        throw ProtocolError("worker protocol: a limit is out of range");
    return static_cast<std::int64_t>(v);
}

Options get_options(Reader& r) {
    constexpr std::size_t kMaxForm = 64;
    constexpr std::size_t kMaxPem = 16u * 1024 * 1024;
    Options o;
    o.limits.max_package = r.u64();
    o.limits.max_uncompressed = r.u64();
    o.limits.max_csv = r.u64();
    o.limits.max_entries = non_negative(r.u64());
    o.limits.max_ratio = non_negative(r.u64());
    const std::uint8_t auth = r.u8();
    if (auth > 1)
        throw ProtocolError("worker protocol: unknown authentication method");
    o.auth_method = auth == 1 ? AuthMethod::gbizid : AuthMethod::certificate;
    o.mynumber_allowed_forms = r.list(kMaxForm);
    o.trust_anchors = r.list(kMaxPem);
    o.crls = r.list(kMaxPem);
    o.now = static_cast<std::time_t>(static_cast<std::int64_t>(r.u64()));
    return o;
}

WorkerFailure get_failure(Reader& r) {
    const std::uint8_t f = r.u8();
    r.end();
    if (f != static_cast<std::uint8_t>(WorkerFailure::bad_request) &&
        f != static_cast<std::uint8_t>(WorkerFailure::internal_error))
        throw ProtocolError("worker protocol: unknown failure kind");
    return static_cast<WorkerFailure>(f);
}

Verdict get_verdict(Reader& r) {
    try {
        return verdict_from_json(r.bytes(kMaxVerdictJson));
    } catch (const ProtocolError&) {
        throw;
    } catch (const std::exception&) {
        throw ProtocolError("worker protocol: the verdict is not valid JSON of a verdict");
    }
}

Inspection get_inspection(Reader& r, const Options& sent) {
    Inspection out;
    out.verdict = get_verdict(r);
    const auto max_entries = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::min<std::int64_t>(sent.limits.max_entries, kMaxListItems)));
    const std::uint64_t n = r.count(max_entries);
    std::uint64_t total = 0;
    out.entries.resize(n);
    for (auto& e : out.entries) {
        e.name = std::string(r.bytes(kMaxEntryName));
        const std::string_view b = r.bytes(sent.limits.max_uncompressed);
        total += b.size();
        if (total > sent.limits.max_uncompressed)
            throw ProtocolError("worker protocol: entries exceed the uncompressed limit");
        e.bytes = std::string(b);
    }
    const std::uint64_t forms = r.count(kMaxForms);
    for (std::uint64_t i = 0; i < forms; ++i) {
        const std::string_view code = r.bytes(kMaxFormCode);
        if (code.empty() ||
            !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw ProtocolError("worker protocol: a form code that is not digits");
        out.forms.emplace_back(code);
    }
    return out;
}

// A flag is a word of lower-case letters, digits, '-' and ':' (a name and a count): nothing
// a compromised worker could smuggle personal data or log-breaking text through.
bool flag_text(std::string_view flag) {
    return !flag.empty() && std::all_of(flag.begin(), flag.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == ':';
    });
}

ChukanInspection get_chukan_inspection(Reader& r, const ChukanLimits& sent) {
    ChukanInspection out;
    out.verdict = get_verdict(r);
    const std::uint64_t records = r.u64();
    if (records > sent.max_records || records > static_cast<std::uint64_t>(INT64_MAX))
        throw ProtocolError("worker protocol: more records than the limit");
    out.records = static_cast<std::int64_t>(records);
    const std::uint64_t flags = r.count(kMaxFlags);
    for (std::uint64_t i = 0; i < flags; ++i) {
        const std::string_view flag = r.bytes(kMaxFlag);
        if (!flag_text(flag))
            throw ProtocolError("worker protocol: a flag with characters outside its alphabet");
        out.flags.emplace_back(flag);
    }
    return out;
}

std::chrono::milliseconds left(const Deadline& deadline) {
    using namespace std::chrono;
    const auto rest = duration_cast<milliseconds>(*deadline - steady_clock::now());
    if (rest <= milliseconds(0))
        throw TimeoutError("worker protocol: deadline passed");
    return rest + milliseconds(1);  // round up so that poll does not spin at the end
}

// Waits until fd is ready for `events`, or the deadline passes.
void wait_ready(int fd, short events, const Deadline& deadline) {
    if (!deadline)
        return;
    for (;;) {
        pollfd p{fd, events, 0};
        const auto ms = left(deadline).count();
        const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(ms, INT32_MAX)));
        if (n > 0)
            return;
        if (n < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "worker protocol: poll");
    }
}

void write_all(int fd, std::string_view data, const Deadline& deadline) {
    while (!data.empty()) {
        wait_ready(fd, POLLOUT, deadline);
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            throw std::system_error(errno, std::generic_category(), "worker protocol: send");
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Reads exactly out.size() bytes; returns how many arrived before the end of stream.
std::size_t read_all(int fd, std::string& out, const Deadline& deadline) {
    std::size_t got = 0;
    while (got < out.size()) {
        wait_ready(fd, POLLIN, deadline);
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n == 0)
            return got;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            throw std::system_error(errno, std::generic_category(), "worker protocol: read");
        }
        got += static_cast<std::size_t>(n);
    }
    return got;
}

}  // namespace

std::string_view describe(WorkerFailure failure) {
    switch (failure) {
        case WorkerFailure::bad_request:
            return "the inspection worker could not read the request";
        case WorkerFailure::internal_error:
            return "the inspector failed with an internal error";
    }
    return "the inspection worker failed";
}

std::string encode_request(const Request& request) {
    Writer w;
    w.u8(kRequest);
    put_options(w, request.options);
    w.bytes(request.package);
    return w.take();
}

Request decode_request(std::string_view message) {
    Reader r(message);
    if (r.u8() != kRequest)
        throw ProtocolError("worker protocol: not a request");
    Request out;
    out.options = get_options(r);
    out.package = std::string(r.bytes(kMaxRequestFrame));
    r.end();
    return out;
}

std::string encode_answer(const Inspection& inspection) {
    Writer w;
    w.u8(kAnswer);
    w.bytes(to_json(inspection.verdict));
    w.u64(inspection.entries.size());
    for (const auto& e : inspection.entries) {
        w.bytes(e.name);
        w.bytes(e.bytes);
    }
    w.u64(inspection.forms.size());
    for (const auto& f : inspection.forms)
        w.bytes(f);
    return w.take();
}

std::string encode_failure(WorkerFailure failure) {
    Writer w;
    w.u8(kFailure);
    w.u8(static_cast<std::uint8_t>(failure));
    return w.take();
}

Answer decode_answer(std::string_view message, const Options& sent) {
    Reader r(message);
    const std::uint8_t kind = r.u8();
    if (kind == kFailure)
        return get_failure(r);
    if (kind != kAnswer)
        throw ProtocolError("worker protocol: not an answer");
    Inspection out = get_inspection(r, sent);
    r.end();
    return out;
}

std::size_t max_answer_frame(const Options& sent) {
    const auto entries = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::min<std::int64_t>(sent.limits.max_entries, kMaxListItems)));
    const std::uint64_t max = 1 + 8 + kMaxVerdictJson + 8 + entries * (16 + kMaxEntryName) + 8 +
                              kMaxForms * (8 + kMaxFormCode) +
                              std::min<std::uint64_t>(sent.limits.max_uncompressed, SIZE_MAX / 2);
    return static_cast<std::size_t>(std::min<std::uint64_t>(max, UINT32_MAX));
}

bool is_chukan_request(std::string_view message) {
    return !message.empty() && message.front() == kChukanRequest;
}

std::string encode_chukan_request(const ChukanRequest& request) {
    Writer w;
    w.u8(kChukanRequest);
    w.u64(request.limits.max_bytes);
    w.u64(request.limits.max_records);
    w.u64(request.limits.max_line);
    w.bytes(request.expected_kind);
    w.bytes(request.file);
    return w.take();
}

ChukanRequest decode_chukan_request(std::string_view message) {
    Reader r(message);
    if (r.u8() != kChukanRequest)
        throw ProtocolError("worker protocol: not a 中間サーバー file request");
    ChukanRequest out;
    out.limits.max_bytes = r.u64();
    out.limits.max_records = r.u64();
    out.limits.max_line = r.u64();
    out.expected_kind = std::string(r.bytes(kMaxChukanKind));
    out.file = std::string(r.bytes(kMaxRequestFrame));
    r.end();
    return out;
}

std::string encode_chukan_answer(const ChukanInspection& inspection) {
    Writer w;
    w.u8(kChukanAnswer);
    w.bytes(to_json(inspection.verdict));
    w.u64(static_cast<std::uint64_t>(std::max<std::int64_t>(0, inspection.records)));
    w.list(inspection.flags);
    return w.take();
}

ChukanAnswer decode_chukan_answer(std::string_view message, const ChukanLimits& sent) {
    Reader r(message);
    const std::uint8_t kind = r.u8();
    if (kind == kFailure)
        return get_failure(r);
    if (kind != kChukanAnswer)
        throw ProtocolError("worker protocol: not an answer about a 中間サーバー file");
    ChukanInspection out = get_chukan_inspection(r, sent);
    r.end();
    return out;
}

std::size_t max_chukan_answer_frame() {
    return 1 + 8 + kMaxVerdictJson + 8 + 8 + kMaxFlags * (8 + kMaxFlag);
}

void write_frame(int fd, std::string_view message, Deadline deadline) {
    if (message.size() > UINT32_MAX)
        throw ProtocolError("worker protocol: message too large for a frame");
    const auto n = static_cast<std::uint32_t>(message.size());
    const char header[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                            static_cast<char>(n >> 8), static_cast<char>(n)};
    write_all(fd, std::string_view(header, 4), deadline);
    write_all(fd, message, deadline);
}

std::optional<std::string> read_frame(int fd, std::size_t max, Deadline deadline) {
    std::string header(4, '\0');
    const std::size_t got = read_all(fd, header, deadline);
    if (got == 0)
        return std::nullopt;
    if (got < 4)
        throw ProtocolError("worker protocol: stream ends inside a frame header");
    std::uint32_t n = 0;
    for (const char c : header)
        n = (n << 8) | static_cast<std::uint8_t>(c);
    if (n > max)
        throw ProtocolError("worker protocol: frame larger than allowed");
    std::string body(n, '\0');
    if (read_all(fd, body, deadline) < n)
        throw ProtocolError("worker protocol: stream ends inside a frame");
    return body;
}

}  // namespace sekisho::inspect::worker

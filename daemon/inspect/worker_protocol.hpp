#pragma once
// The wire protocol between sekishod and its inspection worker (sekisho-inspect-worker)
// over a SOCK_STREAM socketpair. Each message is one frame: a 4-byte big-endian length,
// then that many bytes. Both sides treat what they receive as untrusted: every length and
// count is checked against a limit before anything is allocated, and a frame that does
// not decode exactly is refused as a whole.
//
// Request (daemon → worker):  'Q', Options, package bytes.
// Answer  (worker → daemon):  'A', verdict JSON, entry count, entries (name, bytes),
//                              form count, form codes;
//                          or 'F', failure kind (one byte: a fixed reason, never text).
// Request for a 中間サーバー file (chukan_file.hpp):
//                             'C', ChukanLimits, expected kind, file bytes.
// Answer:                     'B', verdict JSON, record count, flags; or 'F' as above.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "daemon/inspect/chukan_inspection.hpp"
#include "daemon/inspect/inspector.hpp"
#include "daemon/inspect/options.hpp"

namespace sekisho::inspect::worker {

// A frame or message that breaks the protocol: oversized, truncated or malformed.
class ProtocolError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The peer did not finish within the deadline.
class TimeoutError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Largest request the worker accepts: the package (limits.max_package, configured) plus
// trust anchors and CRLs; anything near this is refused long before by the daemon.
inline constexpr std::size_t kMaxRequestFrame = 512u * 1024 * 1024;
// Bounds on what a worker may say besides the inflated bytes.
inline constexpr std::size_t kMaxVerdictJson = 1024 * 1024;
inline constexpr std::size_t kMaxEntryName = 1024;
inline constexpr std::size_t kMaxListItems = 1024;
inline constexpr std::size_t kMaxForms = 32;  // 様式コード in one filing
inline constexpr std::size_t kMaxFormCode = 16;

struct Request {
    Options options;
    std::string package;
};

// Why a worker could not produce a verdict, from a fixed set so that no text from the
// worker (which may be a compromised parser) reaches logs or notices.
enum class WorkerFailure : std::uint8_t {
    bad_request = 1,     // the worker could not decode the request
    internal_error = 2,  // the inspector threw
};
std::string_view describe(WorkerFailure failure);

using Answer = std::variant<Inspection, WorkerFailure>;

std::string encode_request(const Request& request);
Request decode_request(std::string_view message);  // throws ProtocolError

std::string encode_answer(const Inspection& inspection);
std::string encode_failure(WorkerFailure failure);
// `sent` are the options of the request: the answer may not exceed their limits.
Answer decode_answer(std::string_view message, const Options& sent);  // throws ProtocolError

// The largest answer frame a worker may send for a request with these options.
std::size_t max_answer_frame(const Options& sent);

// 中間サーバー files. Flags are short ASCII words and counts ("honnin-multiple-matches:3").
inline constexpr std::size_t kMaxChukanKind = 32;
inline constexpr std::size_t kMaxFlags = 16;
inline constexpr std::size_t kMaxFlag = 64;

struct ChukanRequest {
    ChukanLimits limits;
    std::string expected_kind;
    std::string file;
};

using ChukanAnswer = std::variant<ChukanInspection, WorkerFailure>;

// Whether a request message asks for a 中間サーバー file (else: a filing package).
bool is_chukan_request(std::string_view message);
std::string encode_chukan_request(const ChukanRequest& request);
ChukanRequest decode_chukan_request(std::string_view message);  // throws ProtocolError

std::string encode_chukan_answer(const ChukanInspection& inspection);
// `sent` are the limits of the request: the record count may not exceed them.
ChukanAnswer decode_chukan_answer(std::string_view message,
                                  const ChukanLimits& sent);  // throws ProtocolError
std::size_t max_chukan_answer_frame();

// Frames. Writes use MSG_NOSIGNAL: a dead peer is an error, not a SIGPIPE. With a
// deadline the descriptor must be non-blocking; without, it may block.
using Deadline = std::optional<std::chrono::steady_clock::time_point>;
void write_frame(int fd, std::string_view message, Deadline deadline = std::nullopt);
// nullopt on a clean end of stream before a frame starts; throws ProtocolError when the
// frame is larger than `max` or ends early, TimeoutError past the deadline, and
// std::system_error on a read error.
std::optional<std::string> read_frame(int fd, std::size_t max, Deadline deadline = std::nullopt);

}  // namespace sekisho::inspect::worker

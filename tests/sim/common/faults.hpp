#pragma once
// Deterministic fault injection, the same for every simulator. Each fault F given as
// --F-every N counts the requests eligible for it and fires on every Nth counted one. A
// request is not counted for F (and F does not fire on it) when
//   (a) it is F's first eligible request after F fired, so the client's retry succeeds
//       even when other requests (a new login) come in between;
//   (b) the previous request, on any connection, got a fault of any kind;
//   (c) a fault earlier in the order below already fired on it (one fault per request).
// Order and eligibility:
//   reset, error500, unavailable, throttle  every request (past the User-Agent and
//                                           X-Request-Id check)
//   expire-tokens                           requests carrying a valid Bearer token
//                                           (Mynaportal only)
//   truncate, wrong-digest                  downloads of existing files (Mynaportal
//                                           packages, 中間サーバー result files)
// So even with N = 1 every other attempt succeeds and a well-behaved client makes
// progress. Faulted requests change no state.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sekisho::sim {

enum class Fault {
    reset,
    error500,
    unavailable,
    throttle,
    expire_tokens,
    truncate,
    wrong_digest,
};
inline constexpr std::size_t kFaultCount = 7;

// The name used in flags (--<name>-every) and in the record's "fault" field.
std::string_view fault_name(Fault fault);

struct FaultSettings {
    std::array<std::uint64_t, kFaultCount> every{};  // 0: never
};

class FaultPlan {
  public:
    explicit FaultPlan(FaultSettings settings) : settings_(settings) {}

    // Brackets one counted request.
    void begin_request();
    void end_request();
    // Whether `fault` fires on the current request, which is eligible for it.
    bool fires(Fault fault);
    // The first of the request-level faults (reset, error500, unavailable, throttle)
    // that fires, if any. All four see the request, so each one's grace is consumed.
    std::optional<Fault> request_fault();

  private:
    struct Counter {
        std::uint64_t count = 0;
        bool grace = false;  // the next eligible request is exempt
    };
    FaultSettings settings_;
    std::array<Counter, kFaultCount> counters_{};
    bool previous_faulted_ = false;
    bool current_faulted_ = false;
};

}  // namespace sekisho::sim

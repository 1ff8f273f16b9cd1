#include "tests/sim/common/faults.hpp"

namespace sekisho::sim {
namespace {

constexpr std::array<Fault, 4> kRequestFaults{Fault::reset, Fault::error500, Fault::unavailable,
                                              Fault::throttle};

}  // namespace

std::string_view fault_name(Fault fault) {
    switch (fault) {
        case Fault::reset:
            return "reset";
        case Fault::error500:
            return "error500";
        case Fault::unavailable:
            return "unavailable";
        case Fault::throttle:
            return "throttle";
        case Fault::expire_tokens:
            return "expire-tokens";
        case Fault::truncate:
            return "truncate";
        case Fault::wrong_digest:
            return "wrong-digest";
    }
    return "unknown";
}

void FaultPlan::begin_request() {
    current_faulted_ = false;
}

void FaultPlan::end_request() {
    previous_faulted_ = current_faulted_;
}

bool FaultPlan::fires(Fault fault) {
    const auto i = static_cast<std::size_t>(fault);
    auto& c = counters_[i];
    if (settings_.every[i] == 0)
        return false;
    if (c.grace) {
        c.grace = false;
        return false;
    }
    if (previous_faulted_ || current_faulted_)
        return false;
    if (++c.count % settings_.every[i] != 0)
        return false;
    c.grace = true;
    current_faulted_ = true;
    return true;
}

std::optional<Fault> FaultPlan::request_fault() {
    std::optional<Fault> fired;
    for (const Fault f : kRequestFaults) {
        if (fires(f) && !fired)
            fired = f;
    }
    return fired;
}

}  // namespace sekisho::sim

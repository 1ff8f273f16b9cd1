#include "certs/expiry.hpp"

namespace sekisho::certs {

Expiry expiry_of(std::int64_t days_left) {
    if (days_left < 0)
        return Expiry::expired;
    if (days_left <= 7)
        return Expiry::within_7_days;
    if (days_left <= 30)
        return Expiry::within_30_days;
    return Expiry::ok;
}

std::string_view name(Expiry e) {
    switch (e) {
        case Expiry::ok:
            return "ok";
        case Expiry::within_30_days:
            return "expires within 30 days";
        case Expiry::within_7_days:
            return "expires within 7 days";
        case Expiry::expired:
            return "expired";
    }
    return "unknown";
}

}  // namespace sekisho::certs

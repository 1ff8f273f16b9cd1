#pragma once
// Expiry classes for warnings: the daemon reports a certificate's class, not its date, so
// that monitoring can alert on a change of class.

#include <cstdint>
#include <string_view>

namespace sekisho::certs {

enum class Expiry { ok, within_30_days, within_7_days, expired };

// < 0 expired, <= 7 within_7_days, <= 30 within_30_days, otherwise ok.
Expiry expiry_of(std::int64_t days_left);

// "ok", "expires within 30 days", "expires within 7 days", "expired".
std::string_view name(Expiry e);

}  // namespace sekisho::certs

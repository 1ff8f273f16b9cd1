#pragma once
// What the HTTPS sources' calls fail with, beyond the transport (transport_error.hpp): the
// service answered with a problem, or a listed file did not arrive as listed.

#include <stdexcept>

#include "adapters/http/json_body.hpp"

namespace sekisho::http {

// A non-2xx answer.
class ApiError : public std::runtime_error {
  public:
    explicit ApiError(Problem p);
    const Problem& problem() const { return problem_; }
    bool retryable() const;  // 5xx, 408, 429: try again later

  private:
    Problem problem_;
};

// A file did not arrive as listed (length, digest, truncation): retried later, never
// queued.
class TransferError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// "503 service-unavailable (title)", for messages.
std::string describe(const Problem& p);

}  // namespace sekisho::http

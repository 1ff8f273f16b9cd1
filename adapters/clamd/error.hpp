#pragma once
// Why clamd could not give an answer. None of these is a verdict: an item whose scan ends
// in one of them stays in `scanning` and is retried later (fail closed), it is never
// released and never rejected because of it.

#include <stdexcept>
#include <string>
#include <string_view>

namespace sekisho::clamd {

enum class Unavailable {
    unreachable,       // no connection (no socket, refused, reset, closed early)
    timeout,           // the command did not finish within the configured timeout
    error,             // clamd answered something other than a clean or FOUND reply
    size_limit,        // the stream is larger than clamd (or clamd.max_stream) accepts
    stale_signatures,  // the signatures are older than max_signature_age, or undated
};

// "unreachable", "timeout", ... as in the enum.
std::string_view to_string(Unavailable reason);

// Thrown by the client for every failure to get an answer. The message names the socket
// and the step that failed; it never holds scanned bytes.
class ClamdError : public std::runtime_error {
  public:
    ClamdError(Unavailable reason, const std::string& message)
        : std::runtime_error(message), reason_(reason) {}
    Unavailable reason() const { return reason_; }

  private:
    Unavailable reason_;
};

}  // namespace sekisho::clamd

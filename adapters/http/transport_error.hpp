#pragma once
// The one exception type of the HTTPS client layer. Its kind lets an adapter decide what to
// do (retry later, alert an operator about a certificate, give up on a filing) without
// parsing text; its message names the server and says why, and never holds a secret.

#include <stdexcept>
#include <string>
#include <string_view>

namespace sekisho::http {

enum class TransportErrorKind {
    resolve,         // the host name did not resolve
    connect,         // TCP connection refused or unreachable
    tls_handshake,   // TLS failed for a reason other than the server certificate
    certificate,     // the server certificate did not verify (chain, validity, host name)
    pin_mismatch,    // the certificate verified but its key matches none of the pins
    timeout,         // a phase (connect, handshake, write, read, shutdown) took too long
    io,              // the connection broke (reset, closed by the peer, TLS record error)
    body_too_large,  // the response body exceeds the caller's limit
    protocol,        // the server's answer is not acceptable HTTP/1.1
};

// "resolve", "connect", ... as in the enum.
std::string_view to_string(TransportErrorKind kind);

class TransportError : public std::runtime_error {
  public:
    TransportError(TransportErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    TransportErrorKind kind() const { return kind_; }

  private:
    TransportErrorKind kind_;
};

}  // namespace sekisho::http

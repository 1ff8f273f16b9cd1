#include "adapters/http/transport_error.hpp"

namespace sekisho::http {

std::string_view to_string(TransportErrorKind kind) {
    switch (kind) {
        case TransportErrorKind::resolve:
            return "resolve";
        case TransportErrorKind::connect:
            return "connect";
        case TransportErrorKind::tls_handshake:
            return "tls_handshake";
        case TransportErrorKind::certificate:
            return "certificate";
        case TransportErrorKind::pin_mismatch:
            return "pin_mismatch";
        case TransportErrorKind::timeout:
            return "timeout";
        case TransportErrorKind::io:
            return "io";
        case TransportErrorKind::body_too_large:
            return "body_too_large";
        case TransportErrorKind::protocol:
            return "protocol";
    }
    return "unknown";
}

}  // namespace sekisho::http

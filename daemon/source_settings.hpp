#pragma once
// Turns the configuration of a source into what its adapter needs: the endpoint, the TLS
// context (certificate, key and CA loaded and checked now, so a bad one fails the start or
// the reload instead of every poll) and the limits.

#include "adapters/mynaportal/poller.hpp"
#include "config/settings.hpp"

namespace sekisho::daemon {

http::Timeouts timeouts_of(const config::PeerSettings& peer);
std::shared_ptr<http::TlsClientContext> tls_context_of(const config::PeerSettings& peer);
mynaportal::PollSettings mynaportal_settings(const config::Settings& s);

}  // namespace sekisho::daemon

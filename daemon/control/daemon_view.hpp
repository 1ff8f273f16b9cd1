#pragma once
// What the control commands need from the running daemon beyond the queue: its settings,
// its status, and the certificate store. The daemon implements it on its event loop; a
// call that cannot be served (the daemon is stopping) throws std::runtime_error.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "config/secret.hpp"
#include "config/settings.hpp"
#include "queue/audit_log.hpp"

namespace sekisho::control {

struct CertRotation {
    std::string use;  // mynaportal-client | chukan-client
    std::string cert_pem;
    config::SecretBytes key_pem;
    std::string chain_pem;
};

class DaemonView {
  public:
    virtual ~DaemonView() = default;
    virtual config::Settings settings() = 0;
    // status: sources, pipeline, hand-over, certificates, warnings (not the queue counts,
    // which the command reads itself).
    virtual boost::json::object status() = 0;
    virtual boost::json::array certificates() = 0;
    // Both throw std::runtime_error (certs::RotationRefused for a refused candidate) and
    // change nothing when they fail.
    virtual boost::json::object rotate_certificate(const CertRotation& r,
                                                   const queue::Actor& actor) = 0;
    virtual boost::json::object rollback_certificate(const std::string& use,
                                                     const queue::Actor& actor) = 0;
    // Items changed state: the pipeline and the hand-over look for work now.
    virtual void items_changed() = 0;
};

}  // namespace sekisho::control

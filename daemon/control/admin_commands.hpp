#pragma once
// status, the audit log (verify, export), certificates (list, rotate, rollback) and the
// queue's working keys, over the control socket.

#include <boost/json/object.hpp>

#include "daemon/control/daemon_view.hpp"
#include "daemon/control/server.hpp"
#include "queue/queue.hpp"

namespace sekisho::control {

void run_status(queue::Queue& q, DaemonView& view, Replier& reply);
void run_audit_verify(queue::Queue& q, Replier& reply);
void run_audit_export(queue::Queue& q, const boost::json::object& request, Replier& reply);
void run_keys_rotate(queue::Queue& q, const queue::Actor& actor, Replier& reply);
void run_certs_list(DaemonView& view, Replier& reply);
void run_certs_rotate(DaemonView& view, const queue::Actor& actor,
                      const boost::json::object& request, Replier& reply);
void run_certs_rollback(DaemonView& view, const queue::Actor& actor,
                        const boost::json::object& request, Replier& reply);

}  // namespace sekisho::control

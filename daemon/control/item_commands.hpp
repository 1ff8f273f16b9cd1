#pragma once
// The operator workflow over the control socket: list, show, release (with the two-person
// rule), approve, reject, hold, requeue. Each bulk command reports a row per item and
// counts; one item refused does not stop the others.

#include <boost/json/object.hpp>
#include <string>

#include "config/settings.hpp"
#include "daemon/control/daemon_view.hpp"
#include "daemon/control/server.hpp"
#include "queue/queue.hpp"

namespace sekisho::control {

boost::json::object item_json(const queue::ItemInfo& item,
                              const std::optional<queue::ReleaseRecord>& release);

boost::json::object request_json(const queue::OutboundRequest& r);

void run_list(queue::Queue& q, const boost::json::object& request, Replier& reply);
void run_show(queue::Queue& q, const boost::json::object& request, const queue::Actor& actor,
              bool content, Replier& reply);
// command: release | approve | reject | hold | requeue
void run_item_action(queue::Queue& q, DaemonView& view, const config::Settings& settings,
                     const std::string& command, const queue::Actor& actor,
                     const boost::json::object& request, Replier& reply);

}  // namespace sekisho::control

#pragma once
// The control socket's requests: who asks (roles from [roles] for the peer's uid and
// groups), whether that role may run the command, the command itself, and an audit record
// of every attempt — allowed, refused or failed — with the caller's uid and the result.

#include <boost/json/object.hpp>

#include "daemon/control/daemon_view.hpp"
#include "daemon/control/peer.hpp"
#include "daemon/control/server.hpp"
#include "queue/queue.hpp"

namespace sekisho::control {

// Exit codes the client passes on (DESIGN.md: sekishoctl exit codes).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

class ControlService {
  public:
    ControlService(queue::Queue& queue, DaemonView& view) : queue_(queue), view_(view) {}
    // `file`: the descriptor passed with the request (submit), or none.
    void handle(const Caller& caller, const boost::json::object& request, Replier& reply,
                UniqueFd file = {});

  private:
    void dispatch(const std::string& command, const config::Settings& settings,
                  const queue::Actor& actor, const boost::json::object& request, UniqueFd file,
                  Replier& reply);
    void audit(const queue::Actor& actor, const std::string& action, const std::string& command,
               const std::string& result, const std::string& message);

    queue::Queue& queue_;
    DaemonView& view_;
};

// The command a request names ("show" with content: "show-content"); "" when it names none.
std::string command_of(const boost::json::object& request);

}  // namespace sekisho::control

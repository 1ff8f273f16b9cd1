#include "daemon/control/service.hpp"

#include "common/log.hpp"
#include "daemon/control/admin_commands.hpp"
#include "daemon/control/commands.hpp"
#include "daemon/control/item_commands.hpp"
#include "daemon/control/request_fields.hpp"
#include "daemon/control/roles.hpp"
#include "daemon/control/submit_command.hpp"

namespace sekisho::control {
namespace {

constexpr std::size_t kMaxAuditMessage = 200;

std::string roles_text(const Authorization& a) {
    std::string s;
    for (Role r : a.roles)
        s += (s.empty() ? "" : ", ") + std::string(name(r));
    return s;
}

}  // namespace

std::string command_of(const boost::json::object& request) {
    const auto* v = request.if_contains("command");
    if (v == nullptr || !v->is_string() || v->get_string().size() > 32)
        return "";
    std::string command(v->get_string());
    // Read leniently: this runs before the caller is known, and must not throw.
    const auto* content = request.if_contains("content");
    if (command == "show" && content != nullptr && content->is_bool() && content->get_bool())
        command = "show-content";
    return command;
}

void ControlService::audit(const queue::Actor& actor, const std::string& action,
                           const std::string& command, const std::string& result,
                           const std::string& message) {
    try {
        queue_.record(actor, {action,
                              std::nullopt,
                              std::nullopt,
                              {{"command", command},
                               {"result", result},
                               {"message", message.substr(0, kMaxAuditMessage)}}});
    } catch (const std::exception& e) {
        log::error("cannot audit a control request", {{"reason", e.what()}});
        throw;
    }
}

void ControlService::handle(const Caller& caller, const boost::json::object& request,
                            Replier& reply, UniqueFd file) {
    const queue::Actor actor{caller.uid, caller.user};
    const std::string command = command_of(request);
    const std::string shown = command.empty() ? "(none)" : command;
    const config::Settings settings = view_.settings();
    const Authorization who = authorize(settings.roles, caller, std::chrono::system_clock::now());
    if (who.roles.empty()) {
        audit(actor, "control refused", shown, "refused", who.refusal);
        log::warning("control request refused",
                     {{"uid", caller.uid}, {"command", shown}, {"reason", who.refusal}});
        reply.done(kExitFailed, who.refusal);
        return;
    }
    if (!known_command(command)) {
        audit(actor, "control refused", shown, "refused", "unknown command");
        reply.done(kExitUsage, "unknown command " + shown);
        return;
    }
    if (!permitted(command, who)) {
        std::string why = "`" + display_name(command) + "` needs the " + roles_allowed(command) +
                          " role; " + caller.label() + " holds: " + roles_text(who);
        for (const auto& w : who.out_of_window)
            why += "; " + w;
        audit(actor, "control refused", command, "refused", why);
        log::warning("control request refused",
                     {{"uid", caller.uid}, {"command", command}, {"reason", why}});
        reply.done(kExitFailed, why);
        return;
    }
    try {
        dispatch(command, settings, actor, request, std::move(file), reply);
    } catch (const BadRequest& e) {
        reply.done(kExitUsage, e.what());
    } catch (const std::exception& e) {
        if (!reply.finished())
            reply.done(kExitFailed, e.what());
    }
    audit(actor, "control", command, reply.exit_code() == kExitOk ? "ok" : "failed",
          reply.message());
}

void ControlService::dispatch(const std::string& command, const config::Settings& settings,
                              const queue::Actor& actor, const boost::json::object& request,
                              UniqueFd file, Replier& reply) {
    if (command == "status") {
        run_status(queue_, view_, reply);
    } else if (command == "list") {
        run_list(queue_, request, reply);
    } else if (command == "show" || command == "show-content") {
        run_show(queue_, request, actor, command == "show-content", reply);
    } else if (command == "audit-verify") {
        run_audit_verify(queue_, reply);
    } else if (command == "audit-export") {
        run_audit_export(queue_, request, reply);
    } else if (command == "keys-rotate") {
        run_keys_rotate(queue_, actor, reply);
    } else if (command == "certs-list") {
        run_certs_list(view_, reply);
    } else if (command == "certs-rotate") {
        run_certs_rotate(view_, actor, request, reply);
    } else if (command == "certs-rollback") {
        run_certs_rollback(view_, actor, request, reply);
    } else if (command == "submit") {
        run_submit(queue_, view_, settings, actor, request, std::move(file), reply);
    } else {
        run_item_action(queue_, view_, settings, command, actor, request, reply);
    }
}

}  // namespace sekisho::control

#include "daemon/ctl/submit_wait.hpp"

#include <thread>

#include "daemon/ctl/control_client.hpp"
#include "daemon/ctl/exit_codes.hpp"

namespace sekisho::ctl {
namespace {

namespace json = boost::json;
constexpr auto kPollEvery = std::chrono::seconds(1);

bool undecided(std::string_view state) {
    return state == "fetched" || state == "inspecting" || state == "scanning";
}

// The item as `show` answers it; throws when the daemon does not know it.
json::object show(const std::filesystem::path& socket, const std::string& id) {
    json::object item;
    const json::object request{{"command", "show"}, {"ids", json::array{json::value(id)}}};
    const auto answer =
        call_control(socket, request, {[&](const json::object& row) { item = row; }, {}});
    if (answer.exit_code != kExitOk)
        throw std::runtime_error(answer.message.empty() ? "cannot show item " + id
                                                        : answer.message);
    return item;
}

std::string state_of(const json::object& item) {
    const auto* s = item.if_contains("state");
    return s != nullptr && s->is_string() ? std::string(s->get_string()) : "";
}

}  // namespace

int wait_for_verdict(const std::filesystem::path& socket, const std::string& id,
                     std::chrono::seconds limit, Printer& printer, std::ostream& err) {
    const auto until = std::chrono::steady_clock::now() + limit;
    json::object item = show(socket, id);
    while (undecided(state_of(item)) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(kPollEvery);
        item = show(socket, id);
    }
    const std::string state = state_of(item);
    printer.row(item);
    ControlAnswer a{kExitFailure, "", {}};
    if (undecided(state)) {
        a.message = "item " + id + " is still " + state + " after " +
                    std::to_string(limit.count()) + " s; follow it with sekishoctl show " + id;
    } else if (state == "staged") {
        a.exit_code = kExitOk;
        a.message =
            "inspected and scanned clean; it goes to the chukan server once released "
            "(sekishoctl release " +
            id + ")";
    } else if (state == "rejected") {
        a.exit_code = kExitRejected;
        a.message = "rejected by inspection or the scanner: see the reasons above";
    } else {
        a.message = "item " + id + " is " + state + ": an operator must look at it";
    }
    printer.finish(a, err);
    return a.exit_code;
}

}  // namespace sekisho::ctl

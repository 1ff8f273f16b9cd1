#pragma once
// sekishoctl's side of the control socket: one request, then rows, lines and the final
// answer as they arrive.

#include <boost/json/object.hpp>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sekisho::ctl {

// The daemon could not be reached; the message says why and what to check.
class ControlUnavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ControlAnswer {
    int exit_code = 1;
    std::string message;
    boost::json::object result;
};

struct ControlSinks {
    std::function<void(const boost::json::object&)> row;
    std::function<void(std::string_view)> line;
};

// `file` (when not -1) is passed to the daemon with the request (submit).
ControlAnswer call_control(const std::filesystem::path& socket, const boost::json::object& request,
                           const ControlSinks& sinks, int file = -1);

}  // namespace sekisho::ctl

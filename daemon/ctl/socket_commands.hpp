#pragma once
// sekishoctl's commands that go through sekishod's control socket: the arguments become
// one request (or batches of 10,000 ids), and the answer is printed as a table for people
// or as JSON Lines with --json.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace sekisho::ctl {

// True for the command words served by the control socket.
bool is_socket_command(const std::string& word);

// args: the command words and their options (e.g. {"release", "ALL"}). Returns the exit
// code: 0 done, 1 refused or failed, 2 usage error.
int socket_command(const std::vector<std::string>& args, const std::optional<std::string>& config,
                   bool json, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace sekisho::ctl

#pragma once
// After `sekishoctl submit`: the request file is inspected and scanned by the daemon; the
// command follows the new item (show, once a second) until that is over and says what
// became of it, so the operator learns at once whether the file can be released.

#include <chrono>
#include <filesystem>
#include <string>

#include "daemon/ctl/output.hpp"

namespace sekisho::ctl {

// The exit code: 0 staged (clean, waits for a release), 3 rejected (the reasons are
// printed), 1 held, duplicate, or still not decided after `limit`.
int wait_for_verdict(const std::filesystem::path& socket, const std::string& id,
                     std::chrono::seconds limit, Printer& printer, std::ostream& err);

}  // namespace sekisho::ctl

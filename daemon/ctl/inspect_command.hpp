#pragma once
// `sekishoctl inspect [-c FILE] [--json] [--auth-method certificate|gbizid] PACKAGE.zip`:
// inspects a filing package offline with the same sandboxed worker as sekishod.
//
// Configuration: the [inspect] section (trust anchors, CRLs, allowed forms, limits) of
// -c FILE, else of /etc/sekisho/sekishod.toml when that file exists, so that an operator
// gets the daemon's verdict; with neither, the documented defaults apply and a note on
// stderr says that no trust anchor is configured (certificate signatures then cannot be
// trusted). A named or existing file that does not load is an error (exit 1).
//
// Output: a human summary, or with --json the verdict as
// {"verdict": "accept"|"reject", "reasons": [{"code", "where", "detail"}]}.
// Exit status: 0 accepted, 3 rejected, 1 could not inspect, 2 usage error.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sekisho::ctl {

// `args` are the words after "inspect"; `global_config` is -c given before the command.
int inspect_command(const std::vector<std::string>& args,
                    const std::optional<std::string>& global_config, std::ostream& out,
                    std::ostream& err);

}  // namespace sekisho::ctl

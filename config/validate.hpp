#pragma once
// Semantic checks after the schema: required keys for the enabled parts, files that
// must exist, secrets that must be readable and well-formed, cross-key rules.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "config/load.hpp"
#include "config/toml_reader.hpp"

namespace sekisho::config {

void validate(ProblemSink& sink, const Settings& settings, Program program,
              std::vector<std::string>& notes);

// "host:port" with a host name, an IPv4 address or a bracketed IPv6 address.
bool valid_host_port(std::string_view text);
// A network interface name the kernel accepts: 1..15 bytes, no '/', ':', blank, control
// or non-ASCII character.
bool valid_interface_name(std::string_view name);

// The uid of a user name, from the password database.
std::optional<uid_t> lookup_user(const std::string& name);

// The known 様式コード of spec/filing-package.md.
bool known_form_code(std::string_view code);

}  // namespace sekisho::config

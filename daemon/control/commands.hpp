#pragma once
// The control socket's commands and the roles that may run each (the role matrix of
// sekishoctl(8)). "show-content" is `show --content`: decrypting a filing's summary is an
// operator's business only.

#include <optional>
#include <string>
#include <string_view>

#include "daemon/control/roles.hpp"

namespace sekisho::control {

bool known_command(std::string_view command);
bool permitted(std::string_view command, const Authorization& who);
// How a person types the command: "keys rotate", "show --content".
std::string display_name(std::string_view command);
// "operator or approver": for the refusal message.
std::string roles_allowed(std::string_view command);

// Why an operator's rejection text may not go to the sender, or nullopt when it may: not
// empty, at most 400 characters, no control characters, and no 12-digit number (a
// 個人番号), also not when written with full-width digits or separators.
std::optional<std::string> reason_text_problem(std::string_view text);

}  // namespace sekisho::control

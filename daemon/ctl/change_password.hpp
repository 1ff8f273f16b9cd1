#pragma once
// `sekishoctl [-c FILE] mynaportal change-password`: changes the Mynaportal password at the
// service and stores the new one where sekishod reads it.
//
// The new password comes from standard input (one line; from a terminal it is asked twice
// without echo). The current one is read where sekishod reads it (mynaportal.
// password_credential), or, for a systemd credential name outside the service, from
// --current-password-file. The command logs in, changes the password (POST
// /v1/auth/password) and logs out; when login answers 403 password-expired it uses the
// unauthenticated form the project's simulator accepts as an extension (see
// mynaportal::ApiClient::change_expired_password), and says so. A path credential is then
// replaced atomically (same owner and mode); for a credential name the command prints the
// systemd-creds command to run, because it cannot write the encrypted store itself.
//
// Never prints a password; password buffers are config::SecretBytes (wiped).

#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "config/secret.hpp"

namespace sekisho::ctl {

inline constexpr std::size_t kMaxPasswordBytes = 1024;

struct ChangePasswordArgs {
    std::filesystem::path config_file;
    // The current password when password_credential is a credential name (0600/0400 file).
    std::optional<std::filesystem::path> current_password_file;
    int input_fd = STDIN_FILENO;  // where the new password is read from
};

// Exit codes of DESIGN.md: 0 changed (and stored, or the command to store it printed),
// 1 refused or failed (every case with a message on `err`), 2 usage error.
int change_mynaportal_password(const ChangePasswordArgs& args, std::ostream& out,
                               std::ostream& err);

// The new password read from `fd`: one line, its "\n" removed. When `fd` is a terminal the
// password is asked twice (prompts on `prompt`, echo off) and both must match. `refusal`
// says why there is no password (empty, too long, control characters, no input,
// mismatch); `password` is then empty.
struct NewPassword {
    config::SecretBytes password;
    std::string refusal;
};
NewPassword read_new_password(int fd, std::ostream& prompt);

}  // namespace sekisho::ctl

#pragma once
// Where clamd listens, from the `clamd.socket` setting: an absolute Unix socket path, or
// "host:port" for TCP (host name, IPv4 address, or bracketed IPv6 address).

#include <string>
#include <string_view>

namespace sekisho::clamd {

struct Address {
    enum class Kind { unix_socket, tcp };
    Kind kind = Kind::unix_socket;
    std::string path;  // unix_socket: absolute path
    std::string host;  // tcp: name or address, IPv6 without brackets
    std::string port;  // tcp: decimal 1..65535

    // Throws std::invalid_argument for anything else (relative paths, paths too long for
    // sockaddr_un, malformed host:port).
    static Address parse(std::string_view setting);

    // The path, or "host:port" (IPv6 in brackets), for messages.
    std::string describe() const;
};

}  // namespace sekisho::clamd

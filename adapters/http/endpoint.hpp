#pragma once
// Where an adapter connects: the parts of a configured `https://host[:port][/base]` URL.

#include <string>
#include <string_view>
#include <vector>

namespace sekisho::http {

struct Endpoint {
    std::string host;       // lower-case DNS name, IPv4 literal, or IPv6 literal without []
    std::string port;       // decimal 1..65535, "443" when the URL has none
    std::string base_path;  // "" or "/prefix" (no trailing "/"), prepended to every target
    // When not empty: connect only to these addresses (IP literals, already resolved and
    // approved, e.g. by the 中間サーバー's path check) instead of resolving `host` again;
    // `host` still names the server for SNI and certificate verification.
    std::vector<std::string> addresses;

    // Throws std::invalid_argument for anything but an absolute https URL with a host and
    // no user information, query or fragment. Messages never repeat user information.
    static Endpoint parse(std::string_view https_url);

    bool is_ip_literal() const;
    // The Host header value: host (IPv6 in brackets), with ":port" unless it is 443.
    std::string host_header() const;
    // "host:port" (IPv6 in brackets), for messages.
    std::string authority() const;
};

}  // namespace sekisho::http

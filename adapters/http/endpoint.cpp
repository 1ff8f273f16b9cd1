#include "adapters/http/endpoint.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace sekisho::http {
namespace {

constexpr std::string_view kScheme = "https://";
constexpr std::size_t kMaxHostLength = 253;

[[noreturn]] void invalid(const std::string& why) {
    throw std::invalid_argument("base URL: " + why);
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size())
        return false;
    return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char p, char t) {
        return std::tolower(static_cast<unsigned char>(t)) == p;
    });
}

bool is_ipv4(const std::string& host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address_v4(host, ec);
    return !ec;
}

bool is_ipv6(const std::string& host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address_v6(host, ec);
    return !ec;
}

std::string parse_ipv6_host(std::string_view bracketed) {
    const std::string host(bracketed.substr(1, bracketed.size() - 2));
    // Zone ids ("%eth0") name a local interface, which a configured server never needs.
    if (host.find('%') != std::string::npos || !is_ipv6(host))
        invalid("bad IPv6 literal [" + host + "]");
    return host;
}

std::string parse_name_host(std::string_view text) {
    if (text.empty())
        invalid("no host");
    if (text.size() > kMaxHostLength)
        invalid("host name too long");
    std::string host;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '-' && c != '.')
            invalid("bad character in host name");
        host += static_cast<char>(std::tolower(u));
    }
    if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string::npos)
        invalid("empty label in host name " + host);
    // The resolver would read "127.1" or "10.0.0.010" as some address; a certificate would
    // then be checked against a DNS name nobody meant. Only dotted quads count as IPv4.
    const bool numeric = host.find_first_not_of("0123456789.") == std::string::npos;
    if (numeric && !is_ipv4(host))
        invalid("bad IPv4 literal " + host);
    return host;
}

std::string parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5 ||
        text.find_first_not_of("0123456789") != std::string_view::npos)
        invalid("bad port");
    const int value = std::stoi(std::string(text));
    if (value < 1 || value > 65535)
        invalid("port out of range");
    return std::to_string(value);
}

std::string parse_base_path(std::string_view path) {
    static constexpr std::string_view kForbidden = "\"<>\\^`{|}";
    for (char c : path) {
        if (c <= 0x20 || c >= 0x7f || kForbidden.find(c) != std::string_view::npos)
            invalid("bad character in path");
    }
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    return std::string(path);
}

}  // namespace

Endpoint Endpoint::parse(std::string_view https_url) {
    if (!iequals_prefix(https_url, kScheme))
        invalid("must start with https://");
    const std::string_view rest = https_url.substr(kScheme.size());
    const std::size_t authority_end = std::min(rest.find('/'), rest.size());
    const std::string_view authority = rest.substr(0, authority_end);
    const std::string_view path = rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos)
        invalid("must not contain user information");
    if (rest.find_first_of("?#") != std::string_view::npos)
        invalid("must not contain a query or fragment");

    Endpoint out;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos)
            invalid("unterminated IPv6 literal");
        out.host = parse_ipv6_host(authority.substr(0, close + 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            invalid("unexpected text after IPv6 literal");
        has_port = !after.empty();
        port_text = has_port ? after.substr(1) : std::string_view{};
    } else {
        const std::size_t colon = authority.find(':');
        out.host = parse_name_host(authority.substr(0, colon));
        has_port = colon != std::string_view::npos;
        port_text = has_port ? authority.substr(colon + 1) : std::string_view{};
    }
    out.port = has_port ? parse_port(port_text) : "443";
    out.base_path = parse_base_path(path);
    return out;
}

bool Endpoint::is_ip_literal() const {
    return is_ipv4(host) || is_ipv6(host);
}

std::string Endpoint::host_header() const {
    const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return port == "443" ? name : name + ":" + port;
}

std::string Endpoint::authority() const {
    const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return name + ":" + port;
}

}  // namespace sekisho::http

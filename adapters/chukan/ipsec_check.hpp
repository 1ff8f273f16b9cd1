#pragma once
// The IPsec path check (`chukan.ipsec_check`, spec/chukan-api.md "Transport"): before
// each connection to the 中間サーバー, ask the kernel whether traffic to the server's
// address takes the protected path. The answer is the kernel's, at the moment of asking:
// - `interface:<name>`: the route to the server (RTM_GETROUTE, which honours policy
//   routing rules, so strongSwan's table 220 counts) goes out through that device, the
//   tunnel device of an IPsec daemon such as strongSwan's kernel-libipsec (`ipsec0`).
// - `xfrm`: the outbound XFRM policy the kernel would apply to the connection (the best
//   priority among those whose selector covers it) is an "allow" with a required ESP
//   template. Dumping XFRM policies needs CAP_NET_ADMIN in the daemon's network
//   namespace, which the shipped systemd unit does not grant.
// - `off`: not checked (tests only).

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>

namespace sekisho::chukan {

enum class IpsecMode { xfrm, interface, off };

struct IpsecCheck {
    IpsecMode mode = IpsecMode::xfrm;
    std::string interface;  // the device name, for IpsecMode::interface only
};

// "xfrm" | "interface:<name>" | "off", with the rules of config/validate.cpp; throws
// std::invalid_argument saying what is wrong otherwise.
IpsecCheck parse_ipsec_check(std::string_view text);

// The configured text again ("xfrm", "interface:ipsec0", "off"), for messages.
std::string describe(const IpsecCheck& check);

struct PathVerdict {
    bool protected_path = false;
    std::string why;  // always set: what the kernel said, in one sentence for logs and status
};

// Asks the kernel, now, whether traffic to `server` (an IPv4-mapped IPv6 address counts as
// IPv4) takes the protected path. Every answer the kernel gives becomes a verdict,
// refusals included (no route, prohibited, EPERM for the XFRM dump). Throws
// std::runtime_error only when the kernel cannot be asked at all (no netlink socket, no
// answer within 2 s, a malformed or truncated answer); callers treat that as not
// protected. Blocks for at most a few seconds; safe to call from several threads.
PathVerdict check_path(const IpsecCheck& check, const boost::asio::ip::address& server);

}  // namespace sekisho::chukan

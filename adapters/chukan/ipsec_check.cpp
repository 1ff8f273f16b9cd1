#include "adapters/chukan/ipsec_check.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "adapters/chukan/netlink.hpp"
#include "config/validate.hpp"

namespace sekisho::chukan {
namespace {

constexpr std::string_view kInterfacePrefix = "interface:";
// A policy table is input too: past this many policies the check gives up (not protected)
// rather than spend unbounded time and memory on it. Real gateways have a few dozen.
constexpr std::size_t kMaxPolicies = 100'000;
// NLM_F_DUMP_INTR: the policy table changed during the dump; read it again, a few times.
constexpr int kDumpAttempts = 3;

// --- the configured mode ------------------------------------------------------------

// `text` in quotes, with anything unprintable escaped: it comes from a file and goes
// into messages.
std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", u);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// --- addresses ----------------------------------------------------------------------

// An address as the kernel sees it: family and bytes in network order.
struct Target {
    int family = AF_INET;
    std::array<unsigned char, 16> bytes{};  // IPv4: the first 4
    std::string text;

    std::size_t width() const { return family == AF_INET ? 4 : 16; }
};

Target target_of(boost::asio::ip::address address) {
    // Connecting to ::ffff:a.b.c.d sends IPv4: route and policies are IPv4 ones.
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    Target t;
    t.text = address.to_string();
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), t.bytes.begin());
    } else {
        t.family = AF_INET6;
        t.bytes = address.to_v6().to_bytes();
    }
    return t;
}

std::string address_text(int family, const std::array<unsigned char, 16>& bytes) {
    if (family == AF_INET) {
        const boost::asio::ip::address_v4::bytes_type v4{bytes[0], bytes[1], bytes[2], bytes[3]};
        return boost::asio::ip::make_address_v4(v4).to_string();
    }
    return boost::asio::ip::make_address_v6(bytes).to_string();
}

// An address attribute of `family` (RTA_PREFSRC), or nullopt when its size is wrong.
std::optional<Target> target_from(int family, std::span<const std::byte> payload) {
    Target t;
    t.family = family;
    if (payload.size() != t.width())
        return std::nullopt;
    std::memcpy(t.bytes.data(), payload.data(), payload.size());
    t.text = address_text(family, t.bytes);
    return t;
}

std::array<unsigned char, 16> bytes_of(const xfrm_address_t& a) {
    std::array<unsigned char, 16> out{};
    std::memcpy(out.data(), &a, out.size());
    return out;
}

// Whether `net`/`prefix` contains `t` (prefix 0 contains everything).
bool covers(const xfrm_address_t& net, unsigned prefix, const Target& t) {
    if (prefix > t.width() * 8)
        return false;
    const auto n = bytes_of(net);
    const unsigned whole = prefix / 8;
    if (!std::equal(n.begin(), n.begin() + whole, t.bytes.begin()))
        return false;
    const unsigned rest = prefix % 8;
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return rest == 0 || ((n[whole] ^ t.bytes[whole]) & mask) == 0;
}

// --- the route ----------------------------------------------------------------------

// What RTM_GETROUTE said about the way to the server.
struct Route {
    std::string refusal;           // set when there is no usable route: "is prohibited", ...
    std::string device;            // the outgoing device
    std::optional<Target> source;  // the source address the kernel would pick
};

std::string refusal_for_errno(int error) {
    switch (error) {
        case EACCES:
            return "is prohibited";  // a prohibit route
        case EHOSTUNREACH:
            return "is unreachable";
        case ENETUNREACH:
            return "does not exist (network unreachable)";
        case EINVAL:
            return "is refused (EINVAL: a blackhole route)";
        default:
            return std::string("is refused by the kernel: ") + std::strerror(error);
    }
}

std::string refusal_for_type(unsigned char type) {
    switch (type) {
        case RTN_UNICAST:
        case RTN_LOCAL:
            return {};
        case RTN_PROHIBIT:
            return "is prohibited";
        case RTN_UNREACHABLE:
            return "is unreachable";
        case RTN_BLACKHOLE:
            return "is a blackhole";
        default:
            return "has route type " + std::to_string(type) + ", not a unicast route";
    }
}

std::string device_name(std::uint32_t index) {
    char name[IF_NAMESIZE] = {};
    if (::if_indextoname(index, name) == nullptr)
        return "interface #" + std::to_string(index) + " (" + std::strerror(errno) + ")";
    return name;
}

void read_route(const netlink::Message& message, int family, Route& route) {
    const auto header = netlink::read<rtmsg>(message.payload);
    if (message.type != RTM_NEWROUTE || !header)
        throw std::runtime_error("unexpected answer to RTM_GETROUTE (message type " +
                                 std::to_string(message.type) + ")");
    route.refusal = refusal_for_type(header->rtm_type);
    for (const auto& a :
         netlink::attributes(netlink::tail(message.payload, NLMSG_ALIGN(sizeof(rtmsg))))) {
        if (a.type == RTA_OIF && a.payload.size() == sizeof(std::uint32_t))
            route.device = device_name(*netlink::read<std::uint32_t>(a.payload));
        else if (a.type == RTA_PREFSRC)
            route.source = target_from(family, a.payload);
    }
}

// The route the kernel would use now for a connection to `server` (policy rules
// included: RTM_GETROUTE does a full output lookup, as connect() would).
Route lookup_route(const Target& server) {
    rtmsg request{};
    request.rtm_family = static_cast<unsigned char>(server.family);
    request.rtm_dst_len = static_cast<unsigned char>(server.width() * 8);
    std::vector<std::byte> body;
    netlink::append(body, request);
    netlink::append_attribute(body, RTA_DST,
                              std::as_bytes(std::span(server.bytes.data(), server.width())));
    netlink::Socket socket(NETLINK_ROUTE, "NETLINK_ROUTE");
    Route route;
    const auto outcome = socket.ask(RTM_GETROUTE, 0, body, [&](const netlink::Message& m) {
        read_route(m, server.family, route);
        return true;
    });
    if (outcome.error != 0)
        route.refusal = refusal_for_errno(outcome.error);
    return route;
}

// --- XFRM policies ------------------------------------------------------------------

// An outbound policy that may apply to the connection, and why it does not protect it.
struct Candidate {
    std::uint32_t priority = 0;
    std::string selector;  // "198.51.100.0/24 from 192.0.2.0/24"
    std::string fault;     // empty: it sends the traffic through a required ESP SA
};

struct PolicyAttributes {
    std::vector<xfrm_user_tmpl> templates;
    bool unmarked_traffic = true;  // applies to packets without a firewall mark
    std::uint32_t if_id = 0;       // nonzero: only for traffic through an xfrm interface
};

PolicyAttributes read_policy_attributes(std::span<const std::byte> bytes) {
    PolicyAttributes out;
    for (const auto& a : netlink::attributes(bytes)) {
        if (a.type == XFRMA_TMPL) {
            for (auto rest = a.payload; rest.size() >= sizeof(xfrm_user_tmpl);
                 rest = rest.subspan(sizeof(xfrm_user_tmpl)))
                out.templates.push_back(*netlink::read<xfrm_user_tmpl>(rest));
        } else if (a.type == XFRMA_MARK) {
            // The daemon's sockets carry mark 0: a policy applies iff (0 & m) == v.
            if (const auto mark = netlink::read<xfrm_mark>(a.payload))
                out.unmarked_traffic = mark->v == 0;
        } else if (a.type == XFRMA_IF_ID) {
            out.if_id = netlink::read<std::uint32_t>(a.payload).value_or(0);
        }
    }
    return out;
}

std::string template_names(const std::vector<xfrm_user_tmpl>& templates) {
    std::string out;
    for (const auto& t : templates) {
        const auto p = t.id.proto;
        out += out.empty() ? "" : ", ";
        out += p == IPPROTO_AH     ? "ah"
               : p == IPPROTO_COMP ? "comp"
                                   : "protocol " + std::to_string(p);
    }
    return out;
}

// Why a policy that applies does not protect the connection; empty when it does.
std::string fault_of(const xfrm_userpolicy_info& info, const PolicyAttributes& attrs,
                     bool source_known) {
    if (info.action == XFRM_POLICY_BLOCK)
        return "blocks it";
    if (attrs.templates.empty())
        return "lets it out in clear (allow without a template)";
    const auto esp = [](const xfrm_user_tmpl& t) { return t.id.proto == IPPROTO_ESP; };
    if (std::none_of(attrs.templates.begin(), attrs.templates.end(), esp))
        return "has no ESP template (" + template_names(attrs.templates) + ")";
    const auto required_esp = [&](const xfrm_user_tmpl& t) { return esp(t) && t.optional == 0; };
    if (std::none_of(attrs.templates.begin(), attrs.templates.end(), required_esp))
        return "makes ESP optional (level use): without an SA traffic goes out in clear";
    // Selecting by port or device, it may leave out this connection, and then another
    // (weaker) policy or none applies: protection must not depend on details not checked.
    if (info.sel.dport_mask != 0 || info.sel.sport_mask != 0 || info.sel.ifindex != 0)
        return "selects by port or device, so it may not cover this connection";
    if (!source_known && info.sel.prefixlen_s != 0)
        return "selects by source address, and the route names none";
    return {};
}

std::string selector_text(const xfrm_selector& sel) {
    return address_text(sel.family, bytes_of(sel.daddr)) + "/" + std::to_string(sel.prefixlen_d) +
           " from " + address_text(sel.family, bytes_of(sel.saddr)) + "/" +
           std::to_string(sel.prefixlen_s);
}

// The policy in `message` if it may apply to a TCP connection from `source` to `server`
// (the kernel's xfrm_selector_match, with ports and device left open).
std::optional<Candidate> candidate(const netlink::Message& message, const Target& server,
                                   const std::optional<Target>& source) {
    if (message.type != XFRM_MSG_NEWPOLICY)
        return std::nullopt;
    const auto info = netlink::read<xfrm_userpolicy_info>(message.payload);
    if (!info)
        throw std::runtime_error("XFRM policy message shorter than xfrm_userpolicy_info");
    const auto& sel = info->sel;
    if (info->dir != XFRM_POLICY_OUT || sel.family != server.family ||
        !covers(sel.daddr, sel.prefixlen_d, server) ||
        (source && !covers(sel.saddr, sel.prefixlen_s, *source)) ||
        (sel.proto != 0 && sel.proto != IPPROTO_TCP))
        return std::nullopt;
    const auto attrs = read_policy_attributes(
        netlink::tail(message.payload, NLMSG_ALIGN(sizeof(xfrm_userpolicy_info))));
    if (!attrs.unmarked_traffic || attrs.if_id != 0)
        return std::nullopt;
    return Candidate{info->priority, selector_text(sel),
                     fault_of(*info, attrs, source.has_value())};
}

// One dump of the policy table, keeping the candidates.
struct Dump {
    netlink::Outcome outcome;
    std::size_t policies = 0;
    std::vector<Candidate> candidates;
};

Dump dump_policies(const Target& server, const std::optional<Target>& source) {
    // Needs CAP_NET_ADMIN in the daemon's network namespace (xfrm_user checks it for
    // every request, reads included); without it the kernel answers EPERM.
    netlink::Socket socket(NETLINK_XFRM, "NETLINK_XFRM");
    Dump dump;
    dump.outcome = socket.ask(XFRM_MSG_GETPOLICY, NLM_F_DUMP, {}, [&](const netlink::Message& m) {
        if (++dump.policies > kMaxPolicies)
            return false;
        if (auto c = candidate(m, server, source))
            dump.candidates.push_back(std::move(*c));
        return true;
    });
    return dump;
}

std::string refusal_of(const Dump& dump) {
    if (dump.outcome.error == EPERM)
        return "reading XFRM policies needs CAP_NET_ADMIN (the kernel answered EPERM): use "
               "ipsec_check = \"interface:<tunnel device>\" or grant the capability";
    if (dump.outcome.error != 0)
        return std::string("the kernel refused to list XFRM policies: ") +
               std::strerror(dump.outcome.error);
    if (dump.outcome.stopped)
        return "more than " + std::to_string(kMaxPolicies) + " XFRM policies: not examined (limit)";
    if (dump.outcome.interrupted)
        return "the XFRM policies changed during every one of " + std::to_string(kDumpAttempts) +
               " reads";
    return {};
}

// Among the candidates, the kernel applies the one with the lowest priority value; with
// a tie its choice depends on insertion order, so every tied one must protect.
PathVerdict judge(const std::vector<Candidate>& candidates, std::size_t policies,
                  const std::string& flow) {
    if (candidates.empty())
        return {false, "no outbound XFRM policy covers " + flow + " (" + std::to_string(policies) +
                           " policies read)"};
    const auto best = std::min_element(candidates.begin(), candidates.end(), [](auto& a, auto& b) {
                          return a.priority < b.priority;
                      })->priority;
    for (const auto& c : candidates) {
        if (c.priority == best && !c.fault.empty())
            return {false, "the outbound XFRM policy for " + c.selector + " (priority " +
                               std::to_string(c.priority) + ") applies to " + flow + " and " +
                               c.fault};
    }
    const auto& winner = *std::find_if(candidates.begin(), candidates.end(),
                                       [&](auto& c) { return c.priority == best; });
    return {true, "the outbound XFRM policy for " + winner.selector + " (priority " +
                      std::to_string(best) + ") sends " + flow + " through ESP"};
}

PathVerdict check_xfrm(const Target& server, const Route& route) {
    Dump dump;
    for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
        dump = dump_policies(server, route.source);
        if (!dump.outcome.interrupted || dump.outcome.error != 0 || dump.outcome.stopped)
            break;
    }
    if (auto refusal = refusal_of(dump); !refusal.empty())
        return {false, refusal};
    const auto flow = server.text + (route.source ? " from " + route.source->text : "");
    return judge(dump.candidates, dump.policies, flow);
}

PathVerdict check_interface(const Target& server, const Route& route, const std::string& wanted) {
    if (route.device.empty())
        return {false, "route to " + server.text + " names no outgoing device"};
    const auto where = "route to " + server.text + " goes out through " + route.device;
    if (route.device == wanted)
        return {true, where};
    return {false, where + ", not through " + wanted};
}

}  // namespace

IpsecCheck parse_ipsec_check(std::string_view text) {
    if (text == "xfrm")
        return {IpsecMode::xfrm, {}};
    if (text == "off")
        return {IpsecMode::off, {}};
    if (!text.starts_with(kInterfacePrefix))
        throw std::invalid_argument("ipsec_check " + quoted(text) +
                                    ": must be \"xfrm\", \"interface:<name>\" or \"off\"");
    const auto name = text.substr(kInterfacePrefix.size());
    if (!config::valid_interface_name(name))
        throw std::invalid_argument(
            "ipsec_check " + quoted(text) + ": " + quoted(name) +
            " is not a valid interface name (1 to 15 bytes of printable ASCII, no '/' or ':')");
    return {IpsecMode::interface, std::string(name)};
}

std::string describe(const IpsecCheck& check) {
    switch (check.mode) {
        case IpsecMode::xfrm:
            return "xfrm";
        case IpsecMode::interface:
            return std::string(kInterfacePrefix) + check.interface;
        case IpsecMode::off:
            return "off";
    }
    return "?";
}

PathVerdict check_path(const IpsecCheck& check, const boost::asio::ip::address& server) {
    if (check.mode == IpsecMode::off)
        return {true, "ipsec_check = off: not checked"};
    const auto target = target_of(server);
    const auto route = lookup_route(target);
    if (!route.refusal.empty())
        return {false, "route to " + target.text + " " + route.refusal};
    if (check.mode == IpsecMode::interface)
        return check_interface(target, route, check.interface);
    return check_xfrm(target, route);
}

}  // namespace sekisho::chukan

#include "config/validate.hpp"

#include <openssl/evp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace sekisho::config {
namespace {

constexpr std::array<std::string_view, 5> kFormCodes{"2200700", "2201700", "2221700", "2225700",
                                                     "2265700"};
constexpr std::array<std::string_view, 3> kChukanResultKinds{"SHIKAKU-REG-RES", "HONNIN-RES",
                                                             "SHOKAI-RES"};
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kRawKeyBytes = 32;

struct Checker {
    ProblemSink& sink;
    const Settings& s;
    std::vector<std::string>& notes;
    std::optional<uid_t> service_uid;

    void require(const std::string& key, bool present, std::string_view when) {
        if (!present)
            sink.error(key, "required " + std::string(when));
    }

    void existing_file(const std::string& key, const Path& path) {
        if (path.empty())
            return;
        std::error_code ec;
        const auto st = std::filesystem::status(path, ec);
        if (ec || !std::filesystem::exists(st)) {
            sink.error(key, "file not found: " + path.string());
        } else if (!std::filesystem::is_regular_file(st)) {
            sink.error(key, "not a regular file: " + path.string());
        } else if (::access(path.c_str(), R_OK) != 0) {
            sink.error(key, "file not readable: " + path.string());
        }
    }

    void secret(const std::string& key, const SecretRef& ref, const SecretRules& base) {
        const auto location = secret_location(ref);
        if (!location) {
            notes.push_back(key + ": credential \"" + ref.text() +
                            "\" not checked: $CREDENTIALS_DIRECTORY is not set here "
                            "(systemd provides it at service start)");
            return;
        }
        if (!ref.is_credential_name() && !service_uid) {
            sink.error(key, "cannot check who owns " + ref.text() + ": daemon.user \"" +
                                s.daemon.user + "\" does not exist");
            return;
        }
        SecretRules rules = base;
        rules.owner = service_uid.value_or(0);
        try {
            load_secret(ref, rules);
        } catch (const std::exception& e) {
            sink.error(key, e.what());
        }
    }

    void raw_key(const std::string& key, const SecretRef& ref) {
        secret(key, ref, {.max_size = kRawKeyBytes, .exact_size = kRawKeyBytes});
    }
};

bool valid_base64_sha256(const std::string& pin) {
    if (pin.size() != 44 || pin.back() != '=')
        return false;
    unsigned char out[48];
    const int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(pin.data()), 44);
    return n == 33;  // 32 bytes plus one padding byte, which EVP_DecodeBlock counts
}

bool valid_https_url(std::string_view url) {
    constexpr std::string_view scheme = "https://";
    if (!url.starts_with(scheme))
        return false;
    url.remove_prefix(scheme.size());
    const auto host_end = url.find('/');
    std::string_view authority = url.substr(0, host_end);
    if (authority.find('@') != std::string_view::npos)
        return false;  // no credentials in URLs
    if (authority.find(':') == std::string_view::npos) {
        return !authority.empty() && valid_host_port(std::string(authority) + ":443");
    }
    return valid_host_port(authority);
}

void check_peer(Checker& c, const std::string& section, const PeerSettings& p) {
    if (!p.enabled)
        return;
    const std::string when = "when " + section + ".enabled = true";
    c.require(section + ".base_url", !p.base_url.empty(), when);
    if (!p.base_url.empty() && !valid_https_url(p.base_url)) {
        c.sink.error(section + ".base_url", "must be https://host[:port][/path]");
    }
    c.require(section + ".ca_file", !p.ca_file.empty(), when);
    c.require(section + ".client_cert", !p.client_cert.empty(), when);
    c.existing_file(section + ".ca_file", p.ca_file);
    if (!p.client_ca_file.empty())
        c.existing_file(section + ".client_ca_file", p.client_ca_file);
    c.existing_file(section + ".client_cert", p.client_cert);
    for (const auto& pin : p.pin_sha256) {
        if (!valid_base64_sha256(pin)) {
            c.sink.error(section + ".pin_sha256",
                         "each pin must be the base64 of a SHA-256 (44 characters ending in =)");
        }
    }
    if (p.poll_interval < std::chrono::seconds(1)) {
        c.sink.error(section + ".poll_interval", "must be at least 1s");
    }
    c.secret(section + ".client_key", p.client_key, {.max_size = kMaxKeyFileBytes});
}

void check_sources(Checker& c) {
    const auto& m = c.s.mynaportal;
    check_peer(c, "mynaportal", m);
    if (m.enabled) {
        c.require("mynaportal.user_id", !m.user_id.empty(), "when mynaportal.enabled = true");
        c.secret("mynaportal.password_credential", m.password_credential,
                 {.max_size = kMaxPasswordBytes, .strip_newline = true});
        if (c.s.inspect.trust_anchors.empty()) {
            c.sink.error("inspect.trust_anchors",
                         "required when mynaportal.enabled = true (signed filings must chain "
                         "to a trust anchor)");
        }
    }
    const auto& ch = c.s.chukan;
    check_peer(c, "chukan", ch);
    const auto& mode = ch.ipsec_check;
    const bool iface = mode.starts_with("interface:");
    if (mode != "xfrm" && mode != "off" && !iface) {
        c.sink.error("chukan.ipsec_check", "must be \"xfrm\", \"interface:<name>\" or \"off\"");
    } else if (iface && !valid_interface_name(mode.substr(10))) {
        c.sink.error("chukan.ipsec_check", "not a valid interface name after \"interface:\"");
    }
    if (ch.status_interval < std::chrono::seconds(1))
        c.sink.error("chukan.status_interval", "must be at least 1s");
}

void check_inspect(Checker& c) {
    const auto& i = c.s.inspect;
    for (const auto& p : i.trust_anchors)
        c.existing_file("inspect.trust_anchors", p);
    for (const auto& p : i.crl_files)
        c.existing_file("inspect.crl_files", p);
    for (const auto& form : i.mynumber_allowed_forms) {
        if (!known_form_code(form)) {
            c.sink.error("inspect.mynumber_allowed_forms", "unknown 様式コード \"" + form + "\"");
        }
    }
    if (i.max_package == 0 || i.max_uncompressed == 0 || i.max_csv == 0) {
        c.sink.error("inspect", "size limits must be greater than zero");
    }
}

void check_release(Checker& c) {
    for (std::size_t n = 0; n < c.s.release.auto_release.size(); ++n) {
        const auto& rule = c.s.release.auto_release[n];
        const std::string key = "release.auto[" + std::to_string(n) + "]";
        if (rule.source != "mynaportal" && rule.source != "chukan") {
            c.sink.error(key + ".source", "must be \"mynaportal\" or \"chukan\"");
            continue;
        }
        if (rule.forms.empty())
            c.sink.error(key + ".forms", "must name at least one form");
        for (const auto& form : rule.forms) {
            const bool ok = rule.source == "mynaportal"
                                ? known_form_code(form)
                                : std::find(kChukanResultKinds.begin(), kChukanResultKinds.end(),
                                            form) != kChukanResultKinds.end();
            if (!ok)
                c.sink.error(key + ".forms", "unknown form or kind \"" + form + "\"");
        }
    }
}

void check_daemon_only(Checker& c) {
    const auto& s = c.s;
    if (!s.clamd.socket.empty() && s.clamd.socket.front() != '/' &&
        !valid_host_port(s.clamd.socket)) {
        c.sink.error("clamd.socket", "must be an absolute socket path or host:port");
    }
    if (s.clamd.timeout < 1s)
        c.sink.error("clamd.timeout", "must be at least 1s");
    if (s.clamd.max_stream < s.inspect.max_package) {
        c.sink.error("clamd.max_stream",
                     "must be at least inspect.max_package: a larger package could never be "
                     "scanned");
    }
    if (!s.oneway.destination.empty() && !valid_host_port(s.oneway.destination)) {
        c.sink.error("oneway.destination", "must be host:port");
    }
    if (s.oneway.fec_data + s.oneway.fec_parity > 255) {
        c.sink.error("oneway.fec_parity", "fec_data + fec_parity must not exceed 255");
    }
    if (s.oneway.rate_bps < 1000)
        c.sink.error("oneway.rate", "must be at least 1kbit");
    if (s.retention.honnin > std::chrono::hours(24 * 365)) {
        c.sink.error("retention.honnin",
                     "must not exceed 365d (本人確認項目 are kept at most one year)");
    }
    if (s.release.approval_timeout < std::chrono::seconds(1)) {
        c.sink.error("release.approval_timeout", "must be at least 1s");
    }
    check_sources(c);
    check_inspect(c);
    check_release(c);
    c.raw_key("keys.queue_key", s.keys.queue_key);
    c.raw_key("keys.audit_key", s.keys.audit_key);
    if (!s.oneway.destination.empty())
        c.raw_key("keys.oneway_key", s.keys.oneway_key);
}

void check_roles(Checker& c) {
    const std::pair<const char*, const std::vector<RoleMember>*> roles[] = {
        {"roles.operators", &c.s.roles.operators},
        {"roles.approvers", &c.s.roles.approvers},
        {"roles.admins", &c.s.roles.admins},
        {"roles.auditors", &c.s.roles.auditors}};
    for (const auto& [key, members] : roles) {
        for (std::size_t i = 0; i < members->size(); ++i) {
            const auto& m = (*members)[i];
            if (m.valid_from && m.valid_until && *m.valid_from >= *m.valid_until) {
                c.sink.error(std::string(key) + "[" + std::to_string(i) + "]",
                             "valid_from must be before valid_until");
            }
        }
    }
}

}  // namespace

std::optional<uid_t> lookup_user(const std::string& name) {
    std::array<char, 4096> buf{};
    passwd pw{};
    passwd* result = nullptr;
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &result) != 0 ||
        result == nullptr) {
        return std::nullopt;
    }
    return pw.pw_uid;
}

bool valid_interface_name(std::string_view name) {
    if (name.empty() || name.size() > 15)
        return false;
    for (char c : name) {
        if (c == '/' || c == ':' || c <= ' ' || static_cast<unsigned char>(c) >= 0x7f) {
            return false;
        }
    }
    return true;
}

bool valid_host_port(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    std::string_view host = text.substr(0, colon);
    const std::string_view port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
        return false;
    }
    if (host.front() == '[')
        return host.size() > 2 && host.back() == ']';
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return host.size() <= 253;
}

bool known_form_code(std::string_view code) {
    return std::find(kFormCodes.begin(), kFormCodes.end(), code) != kFormCodes.end();
}

void validate(ProblemSink& sink, const Settings& s, Program program,
              std::vector<std::string>& notes) {
    Checker c{sink, s, notes, lookup_user(s.daemon.user)};
    if (!c.service_uid) {
        notes.push_back("daemon.user: no user \"" + s.daemon.user +
                        "\" on this machine yet (systemd-sysusers creates it from "
                        "sysusers.d/sekisho.conf); the service cannot start without it");
    }
    switch (program) {
        case Program::daemon:
            check_daemon_only(c);
            check_roles(c);
            break;
        case Program::receiver:
            if (!valid_host_port(s.receiver.listen)) {
                sink.error("receiver.listen", "must be host:port");
            }
            c.raw_key("keys.oneway_key", s.keys.oneway_key);
            break;
        case Program::sender:
            if (!valid_host_port(s.oneway.destination)) {
                sink.error("oneway.destination", "required, as host:port");
            }
            c.raw_key("keys.oneway_key", s.keys.oneway_key);
            break;
        case Program::control:
            check_roles(c);
            break;
    }
}

}  // namespace sekisho::config

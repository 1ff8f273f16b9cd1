#include "config/schema.hpp"

#include <ctime>

namespace sekisho::config {
namespace {

void read_daemon(TableReader& r, DaemonSettings& d) {
    r.path("state_dir", d.state_dir);
    r.path("control_socket", d.control_socket);
    r.path("metrics_file", d.metrics_file, /*allow_empty=*/true);
    std::string level;
    if (r.string("log_level", level)) {
        if (auto parsed = log::parse_level(level)) {
            d.log_level = *parsed;
        } else {
            r.sink().error(r.full_key("log_level"),
                           "must be one of debug, info, notice, warning, error, critical");
        }
    }
    r.string("user", d.user);
}

void read_queue(TableReader& r, QueueSettings& q) {
    r.size("min_free_space", q.min_free_space);
}

void read_keys(TableReader& r, KeySettings& k) {
    r.secret("queue_key", k.queue_key);
    r.secret("audit_key", k.audit_key);
    r.secret("oneway_key", k.oneway_key);
}

void read_peer(TableReader& r, PeerSettings& p) {
    r.boolean("enabled", p.enabled);
    r.string("base_url", p.base_url);
    r.path("ca_file", p.ca_file);
    r.path("client_ca_file", p.client_ca_file);
    r.string_list("pin_sha256", p.pin_sha256);
    r.path("client_cert", p.client_cert);
    r.secret("client_key", p.client_key);
    r.duration("poll_interval", p.poll_interval);
    r.duration("timeout", p.timeout);
}

void read_mynaportal(TableReader& r, MynaportalSettings& m) {
    read_peer(r, m);
    r.string("user_id", m.user_id);
    r.secret("password_credential", m.password_credential);
    r.integer("concurrency", m.concurrency, 1, 8);
}

void read_chukan(TableReader& r, ChukanSettings& c) {
    read_peer(r, c);
    r.string("ipsec_check", c.ipsec_check);
    r.duration("status_interval", c.status_interval);
}

void read_inspect(TableReader& r, InspectSettings& i) {
    r.path_list("trust_anchors", i.trust_anchors);
    r.path_list("crl_files", i.crl_files);
    r.string_list("mynumber_allowed_forms", i.mynumber_allowed_forms);
    r.size("max_package", i.max_package);
    r.size("max_uncompressed", i.max_uncompressed);
    r.size("max_csv", i.max_csv);
    r.integer("max_entries", i.max_entries, 1, 65535);
    r.integer("max_ratio", i.max_ratio, 1, 100000);
    r.duration("worker_timeout", i.worker_timeout);
    r.size("worker_memory", i.worker_memory);
    r.integer("workers", i.workers, 1, 16);
}

void read_clamd(TableReader& r, ClamdSettings& c) {
    r.string("socket", c.socket);
    r.duration("timeout", c.timeout);
    r.duration("max_signature_age", c.max_signature_age);
    r.path("database_dir", c.database_dir);
    r.size("max_stream", c.max_stream);
}

void read_certs(TableReader& r, CertsSettings& c) {
    r.duration("min_remaining", c.min_remaining);
}

void read_release(TableReader& r, ReleaseSettings& rel) {
    r.boolean("require_approval", rel.require_approval);
    r.duration("approval_timeout", rel.approval_timeout);
    const toml::node* n = r.node("auto");
    if (n == nullptr)
        return;
    const auto* rules = n->as_array();
    if (rules == nullptr) {
        r.sink().error(n->source(), r.full_key("auto"), "expected an array of tables");
        return;
    }
    for (std::size_t i = 0; i < rules->size(); ++i) {
        const auto* t = rules->get(i)->as_table();
        const std::string key = r.full_key("auto") + "[" + std::to_string(i) + "]";
        if (t == nullptr) {
            r.sink().error(rules->get(i)->source(), key,
                           "expected a table { source = \"…\", forms = [\"…\"] }");
            continue;
        }
        TableReader rule(r.sink(), *t, key);
        AutoRelease a;
        rule.string("source", a.source);
        rule.string_list("forms", a.forms);
        rule.finish();
        rel.auto_release.push_back(std::move(a));
    }
}

void read_oneway(TableReader& r, OnewaySettings& o) {
    r.string("destination", o.destination);
    r.rate("rate", o.rate_bps);
    r.integer("fec_data", o.fec_data, 1, 254);
    r.integer("fec_parity", o.fec_parity, 0, 254);
    r.integer("repeat", o.repeat, 1, 16);
}

void read_receiver(TableReader& r, ReceiverSettings& rc) {
    r.string("listen", rc.listen);
    r.path("inbox_dir", rc.inbox_dir);
    r.path("state_dir", rc.state_dir);
    r.path("metrics_file", rc.metrics_file, /*allow_empty=*/true);
    r.size("max_transfer", rc.max_transfer);
    r.size("max_buffered", rc.max_buffered);
    r.size("socket_buffer", rc.socket_buffer);
}

void read_retention(TableReader& r, RetentionSettings& rt) {
    r.duration("delivered", rt.delivered);
    r.duration("rejected", rt.rejected);
    r.duration("honnin", rt.honnin);
}

// A TOML local date means the start of that day on this machine's clock (the society's
// own time zone); an offset date-time is taken as written.
std::optional<TimePoint> to_time_point(const toml::node& n, bool end_of_day) {
    std::tm tm{};
    if (const auto* d = n.as_date()) {
        const toml::date v = d->get();
        tm.tm_year = v.year - 1900;
        tm.tm_mon = v.month - 1;
        tm.tm_mday = v.day + (end_of_day ? 1 : 0);
        tm.tm_isdst = -1;
        const std::time_t t = std::mktime(&tm);
        if (t == static_cast<std::time_t>(-1))
            return std::nullopt;
        return std::chrono::system_clock::from_time_t(t);
    }
    if (const auto* dt = n.as_date_time()) {
        const toml::date_time v = dt->get();
        if (!v.offset)
            return std::nullopt;
        tm.tm_year = v.date.year - 1900;
        tm.tm_mon = v.date.month - 1;
        tm.tm_mday = v.date.day;
        tm.tm_hour = v.time.hour;
        tm.tm_min = v.time.minute;
        tm.tm_sec = v.time.second;
        const std::time_t t = ::timegm(&tm) - static_cast<std::time_t>(v.offset->minutes) * 60;
        return std::chrono::system_clock::from_time_t(t);
    }
    return std::nullopt;
}

bool parse_member_name(std::string_view text, RoleMember& m) {
    if (text.starts_with("user:")) {
        m.kind = RoleMember::Kind::user;
    } else if (text.starts_with("group:")) {
        m.kind = RoleMember::Kind::group;
    } else {
        return false;
    }
    m.name = std::string(text.substr(text.find(':') + 1));
    return !m.name.empty();
}

void read_member_table(TableReader& r, RoleMember& m) {
    std::string user;
    std::string group;
    const bool has_user = r.string("user", user);
    const bool has_group = r.string("group", group);
    if (has_user == has_group) {
        r.sink().error(r.full_key("user"), "give exactly one of user = \"…\" or group = \"…\"");
    }
    m.kind = has_user ? RoleMember::Kind::user : RoleMember::Kind::group;
    m.name = has_user ? user : group;
    const char* bounds[] = {"valid_from", "valid_until"};
    for (const char* bound : bounds) {
        const toml::node* n = r.node(bound);
        if (n == nullptr)
            continue;
        const bool until = std::string_view(bound) == "valid_until";
        auto tp = to_time_point(*n, until);
        if (!tp) {
            r.sink().error(n->source(), r.full_key(bound),
                           "expected a date (2027-03-31) or a date-time with offset");
            continue;
        }
        (until ? m.valid_until : m.valid_from) = *tp;
    }
    r.finish();
}

void read_role(TableReader& r, std::string_view role, std::vector<RoleMember>& out) {
    const toml::node* n = r.node(role);
    if (n == nullptr)
        return;
    const auto* members = n->as_array();
    if (members == nullptr) {
        r.sink().error(n->source(), r.full_key(role), "expected an array");
        return;
    }
    for (std::size_t i = 0; i < members->size(); ++i) {
        const toml::node& element = *members->get(i);
        const std::string key = r.full_key(role) + "[" + std::to_string(i) + "]";
        RoleMember m;
        if (const auto* s = element.as_string()) {
            if (!parse_member_name(s->get(), m)) {
                r.sink().error(element.source(), key, "expected \"user:NAME\" or \"group:NAME\"");
                continue;
            }
        } else if (const auto* t = element.as_table()) {
            TableReader member(r.sink(), *t, key);
            r.sink().remember(key, element.source());
            read_member_table(member, m);
        } else {
            r.sink().error(element.source(), key,
                           "expected \"user:NAME\", \"group:NAME\" or { user = \"NAME\", "
                           "valid_from = …, valid_until = … }");
            continue;
        }
        out.push_back(std::move(m));
    }
}

void read_roles(TableReader& r, RoleSettings& roles) {
    read_role(r, "operators", roles.operators);
    read_role(r, "approvers", roles.approvers);
    read_role(r, "admins", roles.admins);
    read_role(r, "auditors", roles.auditors);
}

template <typename Section, typename Fn>
void section(TableReader& root, std::string_view name, Section& out, Fn read) {
    if (const toml::table* t = root.table(name)) {
        TableReader r(root.sink(), *t, std::string(name));
        read(r, out);
        r.finish();
    }
}

}  // namespace

void read_schema(ProblemSink& sink, const toml::table& root_table, Settings& s) {
    TableReader root(sink, root_table, "");
    section(root, "daemon", s.daemon, read_daemon);
    section(root, "queue", s.queue, read_queue);
    section(root, "keys", s.keys, read_keys);
    section(root, "mynaportal", s.mynaportal, read_mynaportal);
    section(root, "chukan", s.chukan, read_chukan);
    section(root, "inspect", s.inspect, read_inspect);
    section(root, "clamd", s.clamd, read_clamd);
    section(root, "release", s.release, read_release);
    section(root, "oneway", s.oneway, read_oneway);
    section(root, "receiver", s.receiver, read_receiver);
    section(root, "retention", s.retention, read_retention);
    section(root, "certs", s.certs, read_certs);
    section(root, "roles", s.roles, read_roles);
    root.finish();
}

}  // namespace sekisho::config

#pragma once
// The whole configuration of a Sekisho program, with the documented defaults
// (config/sekishod.example.toml explains every key). Loaded by config/load.hpp.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "config/secret.hpp"
#include "config/units.hpp"

namespace sekisho::config {

using namespace std::chrono_literals;
using Path = std::filesystem::path;
using TimePoint = std::chrono::system_clock::time_point;

struct DaemonSettings {
    Path state_dir = "/var/lib/sekisho";
    Path control_socket = "/run/sekisho/control.sock";
    Path metrics_file = "/var/lib/sekisho/sekishod.prom";
    log::Level log_level = log::Level::info;
    std::string user = "sekisho";
};

struct QueueSettings {
    std::uint64_t min_free_space = 1ull << 30;  // below this, new items are refused
};

struct KeySettings {
    SecretRef queue_key{"queue_key"};
    SecretRef audit_key{"audit_key"};
    SecretRef oneway_key{"oneway_key"};
};

// What the two HTTPS sources have in common.
struct PeerSettings {
    bool enabled = false;
    std::string base_url;
    Path ca_file;
    // The CA bundle a rotated client certificate's chain must reach (certs rotate);
    // empty: ca_file.
    Path client_ca_file;
    std::vector<std::string> pin_sha256;  // base64 SHA-256 of the server's SPKI
    Path client_cert;
    SecretRef client_key;
    Duration poll_interval = 5min;
    Duration timeout = 30s;  // each network phase: connect, handshake, each read and write
};

struct MynaportalSettings : PeerSettings {
    MynaportalSettings() { client_key = SecretRef("mynaportal_client_key"); }
    std::string user_id;
    SecretRef password_credential{"mynaportal_password"};
    std::int64_t concurrency = 4;  // filings and notices transferred at once (1..8 connections)
};

struct ChukanSettings : PeerSettings {
    ChukanSettings() { client_key = SecretRef("chukan_client_key"); }
    // "interface:<name>" | "xfrm" | "off". The default fits strongSwan's kernel-libipsec
    // and the shipped unit (the xfrm check needs CAP_NET_ADMIN, which the unit does not grant).
    std::string ipsec_check = "interface:ipsec0";
    // A submitted request not yet done is asked about again after this.
    Duration status_interval = 30s;
};

struct InspectSettings {
    std::vector<Path> trust_anchors;
    std::vector<Path> crl_files;
    std::vector<std::string> mynumber_allowed_forms{"2200700", "2201700"};
    std::uint64_t max_package = 10ull * 1024 * 1024;
    std::uint64_t max_uncompressed = 64ull * 1024 * 1024;
    std::uint64_t max_csv = 4'500'000;
    std::int64_t max_entries = 32;
    std::int64_t max_ratio = 200;
    // The sandboxed worker gets this long per package, and at most this much address
    // space; past either it is killed and the item is held for an operator.
    Duration worker_timeout = 60s;
    std::uint64_t worker_memory = 1ull << 30;
    // Items inspected and scanned at once, each by its own worker process: one inspects
    // while another's package is with clamd, and both cores are used.
    std::int64_t workers = 4;
};

struct ClamdSettings {
    std::string socket = "/run/clamav/clamd.ctl";  // absolute path, or "host:port"
    Duration timeout = 60s;
    Duration max_signature_age = 3 * 24h;
    // Dates the signatures by the newest file here when VERSION carries no date (custom
    // signatures only); must be clamd's DatabaseDirectory (or a copy of it).
    Path database_dir = "/var/lib/clamav";
    std::uint64_t max_stream = 25ull * 1024 * 1024;  // clamd's StreamMaxLength (default 25M)
};

struct AutoRelease {
    std::string source;  // "mynaportal" | "chukan"
    std::vector<std::string> forms;
};

struct ReleaseSettings {
    bool require_approval = false;
    Duration approval_timeout = 24h;
    std::vector<AutoRelease> auto_release;  // key "auto"; empty: every item needs a person
};

struct OnewaySettings {
    std::string destination;  // "host:port"; empty: released items wait in the queue
    std::uint64_t rate_bps = 100'000'000;
    std::int64_t fec_data = 32;
    std::int64_t fec_parity = 8;
    std::int64_t repeat = 2;
};

struct ReceiverSettings {
    std::string listen = "0.0.0.0:7410";
    Path inbox_dir = "/var/lib/sekisho-recv/inbox";
    Path state_dir = "/var/lib/sekisho-recv";
    Path metrics_file = "/var/lib/sekisho-recv/sekisho-recv.prom";
    std::uint64_t max_transfer = 4ull << 30;    // larger transfers are refused
    std::uint64_t max_buffered = 256ull << 20;  // incomplete FEC groups held in memory
    std::uint64_t socket_buffer = 64ull << 20;  // SO_RCVBUF asked for
};

struct RetentionSettings {
    Duration delivered = 7 * 24h;
    Duration rejected = 30 * 24h;
    Duration honnin = 365 * 24h;
};

struct CertsSettings {
    // A certificate installed by `certs rotate` must stay valid at least this long.
    Duration min_remaining = 30 * 24h;
};

struct RoleMember {
    enum class Kind { user, group };
    Kind kind = Kind::user;
    std::string name;
    std::optional<TimePoint> valid_from;   // inclusive
    std::optional<TimePoint> valid_until;  // exclusive
};

struct RoleSettings {
    std::vector<RoleMember> operators;
    std::vector<RoleMember> approvers;
    std::vector<RoleMember> admins;
    std::vector<RoleMember> auditors;
};

struct Settings {
    Path source_file;
    DaemonSettings daemon;
    QueueSettings queue;
    KeySettings keys;
    MynaportalSettings mynaportal;
    ChukanSettings chukan;
    InspectSettings inspect;
    ClamdSettings clamd;
    ReleaseSettings release;
    OnewaySettings oneway;
    ReceiverSettings receiver;
    RetentionSettings retention;
    CertsSettings certs;
    RoleSettings roles;
};

}  // namespace sekisho::config

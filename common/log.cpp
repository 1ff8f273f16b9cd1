#include "common/log.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "common/redact.hpp"
#include "common/time_format.hpp"

namespace sekisho::log {
namespace {

struct State {
    std::mutex mutex;
    std::string identifier = "sekisho";
    bool journal = false;
    std::atomic<Level> threshold{Level::info};
};

State& state() {
    static State s;
    return s;
}

constexpr std::array<std::pair<std::string_view, Level>, 6> kLevels{{
    {"critical", Level::critical},
    {"error", Level::error},
    {"warning", Level::warning},
    {"notice", Level::notice},
    {"info", Level::info},
    {"debug", Level::debug},
}};

std::string sanitize_key(std::string_view key) {
    std::string out;
    for (char c : key) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        out += ok ? c : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : '_';
    }
    return out.empty() ? "field" : out;
}

// systemd documents this check: stderr goes to the journal only if its device and
// inode match JOURNAL_STREAM, otherwise stderr was redirected after systemd set it.
bool stderr_is_journal() {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (env == nullptr)
        return false;
    unsigned long long dev = 0;
    unsigned long long ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2)
        return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0)
        return false;
    return st.st_dev == dev && st.st_ino == ino;
}

void write_journal(Level level, const std::string& message, Fields fields,
                   const std::string& identifier) {
    std::vector<std::string> entries;
    entries.reserve(fields.size() + 3);
    entries.push_back("MESSAGE=" + message);
    entries.push_back("PRIORITY=" + std::to_string(static_cast<int>(level)));
    entries.push_back("SYSLOG_IDENTIFIER=" + identifier);
    for (const auto& f : fields) {
        std::string key = "SEKISHO_";
        for (char c : f.key())
            key += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
        entries.push_back(key + "=" + f.value());
    }
    std::vector<iovec> iov;
    iov.reserve(entries.size());
    for (auto& e : entries)
        iov.push_back({e.data(), e.size()});
    if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) < 0) {
        std::fputs((message + "\n").c_str(), stderr);  // journal gone: do not lose the line
    }
}

}  // namespace

Field::Field(std::string_view key, std::string_view value)
    : key_(sanitize_key(key)), value_(redact(value)) {}

std::optional<Level> parse_level(std::string_view name) {
    for (const auto& [n, l] : kLevels) {
        if (n == name)
            return l;
    }
    return std::nullopt;
}

std::string_view level_name(Level level) {
    for (const auto& [n, l] : kLevels) {
        if (l == level)
            return n;
    }
    return "info";
}

void init(std::string_view identifier) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.identifier = std::string(identifier);
    s.journal = stderr_is_journal();
}

void set_threshold(Level level) {
    state().threshold.store(level);
}
Level threshold() {
    return state().threshold.load();
}

std::string format_line(Level level, std::string_view message, Fields fields) {
    std::string line = rfc3339_utc(unix_ms_now());
    line += ' ';
    line += state().identifier;
    line += '[' + std::to_string(::getpid()) + "]: ";
    line += level_name(level);
    line += ": ";
    line += redact(message);
    for (const auto& f : fields) {
        line += ' ';
        line += f.key();
        line += '=';
        const bool quote = f.value().empty() || f.value().find(' ') != std::string::npos;
        line += quote ? '"' + f.value() + '"' : f.value();
    }
    return line;
}

void write(Level level, std::string_view message, Fields fields) {
    auto& s = state();
    if (static_cast<int>(level) > static_cast<int>(s.threshold.load()))
        return;
    std::lock_guard lock(s.mutex);
    if (s.journal) {
        write_journal(level, redact(message), fields, s.identifier);
        return;
    }
    const std::string line = format_line(level, message, fields) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace sekisho::log

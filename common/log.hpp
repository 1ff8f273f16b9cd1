#pragma once
// Logging for every Sekisho program: structured journald entries when stderr is
// connected to the journal (JOURNAL_STREAM), plain lines on stderr otherwise.
// Every message and field value passes through redact(), and Personal<T> cannot be
// made into a field at all, so personal data cannot be formatted into a log line.

#include <concepts>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/personal.hpp"

namespace sekisho::log {

// Values are syslog priorities, as journald expects in PRIORITY=.
enum class Level { critical = 2, error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

std::optional<Level> parse_level(std::string_view name);
std::string_view level_name(Level level);

class Field {
  public:
    Field(std::string_view key, std::string_view value);
    Field(std::string_view key, const char* value) : Field(key, std::string_view(value)) {}
    Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
    Field(std::string_view key, const std::filesystem::path& value)
        : Field(key, std::string_view(value.native())) {}
    template <std::integral T>
    Field(std::string_view key, T value) : Field(key, std::string_view(std::to_string(value))) {}
    template <typename T>
    Field(std::string_view key, const Personal<T>&) = delete;

    const std::string& key() const { return key_; }
    const std::string& value() const { return value_; }

  private:
    std::string key_;    // [a-z0-9_] only
    std::string value_;  // already redacted
};

using Fields = std::initializer_list<Field>;

// Call once at start. `identifier` is the program name (SYSLOG_IDENTIFIER).
void init(std::string_view identifier);
void set_threshold(Level level);
Level threshold();

// The stderr form of one entry; exposed so tests can check exactly what is written.
std::string format_line(Level level, std::string_view message, Fields fields);

void write(Level level, std::string_view message, Fields fields = {});
inline void debug(std::string_view m, Fields f = {}) {
    write(Level::debug, m, f);
}
inline void info(std::string_view m, Fields f = {}) {
    write(Level::info, m, f);
}
inline void notice(std::string_view m, Fields f = {}) {
    write(Level::notice, m, f);
}
inline void warning(std::string_view m, Fields f = {}) {
    write(Level::warning, m, f);
}
inline void error(std::string_view m, Fields f = {}) {
    write(Level::error, m, f);
}
inline void critical(std::string_view m, Fields f = {}) {
    write(Level::critical, m, f);
}

}  // namespace sekisho::log

#pragma once
// A strict reader over one TOML table: each getter marks its key as known and converts
// with a precise error; finish() reports every key nobody asked for.

#include <toml++/toml.h>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/load.hpp"

namespace sekisho::config {

// Collects problems and remembers where each key was written, so later checks can
// point at the right line.
class ProblemSink {
  public:
    explicit ProblemSink(Path file) : file_(std::move(file)) {}

    std::string where(const toml::source_region& region) const;
    void error(const toml::source_region& region, std::string key, std::string message);
    // For checks after parsing: uses the position recorded for `key`, if any.
    void error(const std::string& key, std::string message);
    void remember(const std::string& key, const toml::source_region& region);
    const Path& file() const { return file_; }
    std::vector<Problem> take() { return std::move(problems_); }
    bool empty() const { return problems_.empty(); }

  private:
    Path file_;
    std::vector<Problem> problems_;
    std::map<std::string, std::string> positions_;
};

class TableReader {
  public:
    TableReader(ProblemSink& sink, const toml::table& table, std::string prefix);

    // Each returns true when the key is present and valid, leaving `out` untouched
    // (the default) when it is absent or invalid.
    bool boolean(std::string_view key, bool& out);
    bool string(std::string_view key, std::string& out);
    bool integer(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);
    bool duration(std::string_view key, Duration& out);
    bool size(std::string_view key, std::uint64_t& out);
    bool rate(std::string_view key, std::uint64_t& out);
    bool path(std::string_view key, Path& out, bool allow_empty = false);
    bool secret(std::string_view key, SecretRef& out);
    bool string_list(std::string_view key, std::vector<std::string>& out);
    bool path_list(std::string_view key, std::vector<Path>& out);
    // Marks the key known and returns its node, for shapes the getters do not cover.
    const toml::node* node(std::string_view key);
    // A sub-table; nullptr (with an error if it has the wrong type) when absent.
    const toml::table* table(std::string_view key);

    void finish();
    std::string full_key(std::string_view key) const;
    ProblemSink& sink() { return sink_; }

  private:
    const toml::node* typed(std::string_view key, toml::node_type type, std::string_view what);

    ProblemSink& sink_;
    const toml::table& table_;
    std::string prefix_;
    std::set<std::string, std::less<>> known_;
};

std::string_view type_name(toml::node_type type);

}  // namespace sekisho::config

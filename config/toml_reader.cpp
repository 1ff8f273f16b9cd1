#include "config/toml_reader.hpp"

#include <algorithm>

namespace sekisho::config {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string_view type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        default:
            return "nothing";
    }
}

std::string ProblemSink::where(const toml::source_region& region) const {
    if (region.begin.line == 0)
        return file_.string();
    return file_.string() + ":" + std::to_string(region.begin.line) + ":" +
           std::to_string(region.begin.column);
}

void ProblemSink::error(const toml::source_region& region, std::string key, std::string message) {
    problems_.push_back({where(region), std::move(key), std::move(message)});
}

void ProblemSink::error(const std::string& key, std::string message) {
    // Fall back to the enclosing section's position, then to the file.
    for (std::string k = key;;) {
        if (auto it = positions_.find(k); it != positions_.end()) {
            problems_.push_back({it->second, key, std::move(message)});
            return;
        }
        const auto dot = k.rfind('.');
        if (dot == std::string::npos)
            break;
        k.resize(dot);
    }
    problems_.push_back({file_.string(), key, std::move(message)});
}

void ProblemSink::remember(const std::string& key, const toml::source_region& region) {
    positions_[key] = where(region);
}

TableReader::TableReader(ProblemSink& sink, const toml::table& table, std::string prefix)
    : sink_(sink), table_(table), prefix_(std::move(prefix)) {}

std::string TableReader::full_key(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const toml::node* TableReader::node(std::string_view key) {
    known_.emplace(key);
    const auto it = table_.find(key);
    if (it == table_.end())
        return nullptr;
    // Later checks point at the line where the key is written.
    sink_.remember(full_key(key), it->first.source());
    return &it->second;
}

const toml::node* TableReader::typed(std::string_view key, toml::node_type type,
                                     std::string_view what) {
    const toml::node* n = node(key);
    if (n == nullptr)
        return nullptr;
    if (n->type() != type) {
        sink_.error(
            n->source(), full_key(key),
            "expected " + std::string(what) + ", found " + std::string(type_name(n->type())));
        return nullptr;
    }
    return n;
}

bool TableReader::boolean(std::string_view key, bool& out) {
    const auto* n = typed(key, toml::node_type::boolean, "true or false");
    if (n == nullptr)
        return false;
    out = n->as_boolean()->get();
    return true;
}

bool TableReader::string(std::string_view key, std::string& out) {
    const auto* n = typed(key, toml::node_type::string, "a string");
    if (n == nullptr)
        return false;
    out = n->as_string()->get();
    return true;
}

bool TableReader::integer(std::string_view key, std::int64_t& out, std::int64_t min,
                          std::int64_t max) {
    const auto* n = typed(key, toml::node_type::integer, "an integer");
    if (n == nullptr)
        return false;
    const std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
        sink_.error(n->source(), full_key(key),
                    "must be between " + std::to_string(min) + " and " + std::to_string(max));
        return false;
    }
    out = v;
    return true;
}

bool TableReader::duration(std::string_view key, Duration& out) {
    const auto* n = typed(key, toml::node_type::string, "a duration string such as \"90s\"");
    if (n == nullptr)
        return false;
    auto parsed = parse_duration(n->as_string()->get());
    if (!parsed.value) {
        sink_.error(n->source(), full_key(key), parsed.error);
        return false;
    }
    out = *parsed.value;
    return true;
}

bool TableReader::size(std::string_view key, std::uint64_t& out) {
    const auto* n = typed(key, toml::node_type::string, "a size string such as \"10MiB\"");
    if (n == nullptr)
        return false;
    auto parsed = parse_size(n->as_string()->get());
    if (!parsed.value) {
        sink_.error(n->source(), full_key(key), parsed.error);
        return false;
    }
    out = *parsed.value;
    return true;
}

bool TableReader::rate(std::string_view key, std::uint64_t& out) {
    const auto* n = typed(key, toml::node_type::string, "a rate string such as \"100Mbit\"");
    if (n == nullptr)
        return false;
    auto parsed = parse_rate_bits_per_second(n->as_string()->get());
    if (!parsed.value) {
        sink_.error(n->source(), full_key(key), parsed.error);
        return false;
    }
    out = *parsed.value;
    return true;
}

bool TableReader::path(std::string_view key, Path& out, bool allow_empty) {
    std::string text;
    if (!string(key, text))
        return false;
    if (text.empty() && allow_empty) {
        out.clear();
        return true;
    }
    if (text.empty() || text.front() != '/') {
        sink_.error(table_.get(key)->source(), full_key(key), "must be an absolute path");
        return false;
    }
    out = text;
    return true;
}

bool TableReader::secret(std::string_view key, SecretRef& out) {
    std::string text;
    if (!string(key, text))
        return false;
    SecretRef ref(text);
    if (auto err = ref.syntax_error()) {
        sink_.error(table_.get(key)->source(), full_key(key), *err);
        return false;
    }
    out = std::move(ref);
    return true;
}

bool TableReader::string_list(std::string_view key, std::vector<std::string>& out) {
    const auto* n = typed(key, toml::node_type::array, "an array of strings");
    if (n == nullptr)
        return false;
    std::vector<std::string> values;
    bool ok = true;
    for (const auto& element : *n->as_array()) {
        if (const auto* s = element.as_string()) {
            values.push_back(s->get());
        } else {
            sink_.error(element.source(), full_key(key),
                        "expected strings only, found " + std::string(type_name(element.type())));
            ok = false;
        }
    }
    if (ok)
        out = std::move(values);
    return ok;
}

bool TableReader::path_list(std::string_view key, std::vector<Path>& out) {
    std::vector<std::string> values;
    if (!string_list(key, values))
        return false;
    std::vector<Path> paths;
    for (const auto& v : values) {
        if (v.empty() || v.front() != '/') {
            sink_.error(table_.get(key)->source(), full_key(key),
                        "every entry must be an absolute path");
            return false;
        }
        paths.emplace_back(v);
    }
    out = std::move(paths);
    return true;
}

const toml::table* TableReader::table(std::string_view key) {
    const auto* n = typed(key, toml::node_type::table, "a table");
    return n == nullptr ? nullptr : n->as_table();
}

void TableReader::finish() {
    for (const auto& [k, v] : table_) {
        if (known_.contains(k.str()))
            continue;
        std::string message = prefix_.empty() ? "unknown section or key" : "unknown key";
        std::string best;
        std::size_t best_distance = 3;
        for (const auto& candidate : known_) {
            const std::size_t d = edit_distance(k.str(), candidate);
            if (d < best_distance) {
                best_distance = d;
                best = candidate;
            }
        }
        if (!best.empty())
            message += " (did you mean \"" + best + "\"?)";
        sink_.error(k.source(), full_key(k.str()), message);
    }
}

}  // namespace sekisho::config

#include "common/metrics_file.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/redact.hpp"

namespace sekisho {
namespace {

bool valid_name(std::string_view name) {
    if (name.empty())
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok)
            return false;
    }
    return !(name[0] >= '0' && name[0] <= '9');
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    for (char c : redact(v)) {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c;
    }
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string render_labels(const MetricsText::Labels& labels) {
    if (labels.empty())
        return "";
    std::string out = "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0)
            out += ',';
        out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + '"';
    }
    return out + '}';
}

}  // namespace

MetricsText::Family& MetricsText::family(std::string_view name, std::string_view help,
                                         std::string_view type, const Labels& labels) {
    if (!valid_name(name))
        throw std::invalid_argument("bad metric name: " + std::string(name));
    for (const auto& [k, v] : labels) {
        if (!valid_name(k))
            throw std::invalid_argument("bad label name: " + k);
    }
    auto& family = families_[std::string(name)];
    if (family.type.empty()) {
        family.help = std::string(help);
        family.type = std::string(type);
    } else if (family.type != type) {
        throw std::invalid_argument("metric " + std::string(name) + " registered twice");
    }
    return family;
}

void MetricsText::gauge(std::string_view name, std::string_view help, double value, Labels labels) {
    family(name, help, "gauge", labels).samples.push_back({"", std::move(labels), value});
}

void MetricsText::counter(std::string_view name, std::string_view help, double value,
                          Labels labels) {
    family(name, help, "counter", labels).samples.push_back({"", std::move(labels), value});
}

void MetricsText::summary(std::string_view name, std::string_view help, double sum_seconds,
                          std::uint64_t count, Labels labels) {
    auto& f = family(name, help, "summary", labels);
    f.samples.push_back({"_sum", labels, sum_seconds});
    f.samples.push_back({"_count", std::move(labels), static_cast<double>(count)});
}

void MetricsText::summary(std::string_view name, std::string_view help, const DurationSummary& d,
                          Labels labels) {
    summary(name, help, d.sum_seconds, d.count, std::move(labels));
}

std::string MetricsText::render() const {
    std::string out;
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + " " + redact(family.help) + "\n";
        out += "# TYPE " + name + " " + family.type + "\n";
        for (const auto& sample : family.samples) {
            out += name;
            out += sample.suffix;
            out += render_labels(sample.labels);
            out += ' ' + format_value(sample.value) + "\n";
        }
    }
    return out;
}

void publish_metrics(const std::filesystem::path& file, const MetricsText& metrics) {
    write_file_atomically(file, metrics.render(), 0644);
}

}  // namespace sekisho

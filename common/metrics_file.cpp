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

}  // namespace

void MetricsText::add(std::string_view name, std::string_view help, std::string_view type,
                      double value, Labels labels) {
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
    family.samples.emplace_back(std::move(labels), value);
}

void MetricsText::gauge(std::string_view name, std::string_view help, double value, Labels labels) {
    add(name, help, "gauge", value, std::move(labels));
}

void MetricsText::counter(std::string_view name, std::string_view help, double value,
                          Labels labels) {
    add(name, help, "counter", value, std::move(labels));
}

std::string MetricsText::render() const {
    std::string out;
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + " " + redact(family.help) + "\n";
        out += "# TYPE " + name + " " + family.type + "\n";
        for (const auto& [labels, value] : family.samples) {
            out += name;
            if (!labels.empty()) {
                out += '{';
                for (std::size_t i = 0; i < labels.size(); ++i) {
                    if (i > 0)
                        out += ',';
                    out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + '"';
                }
                out += '}';
            }
            out += ' ' + format_value(value) + "\n";
        }
    }
    return out;
}

void publish_metrics(const std::filesystem::path& file, const MetricsText& metrics) {
    write_file_atomically(file, metrics.render(), 0644);
}

}  // namespace sekisho

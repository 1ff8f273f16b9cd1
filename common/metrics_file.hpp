#pragma once
// Metrics in the Prometheus text format, published as a file for node_exporter's
// textfile collector: rendered in memory, then replaced atomically so the collector
// never reads half a file.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sekisho {

class MetricsText {
  public:
    using Labels = std::vector<std::pair<std::string, std::string>>;

    void gauge(std::string_view name, std::string_view help, double value, Labels labels = {});
    void counter(std::string_view name, std::string_view help, double value, Labels labels = {});
    std::string render() const;

  private:
    struct Family {
        std::string help;
        std::string type;
        std::vector<std::pair<Labels, double>> samples;
    };
    void add(std::string_view name, std::string_view help, std::string_view type, double value,
             Labels labels);
    std::map<std::string, Family> families_;
};

void publish_metrics(const std::filesystem::path& file, const MetricsText& metrics);

}  // namespace sekisho

#pragma once
// Metrics in the Prometheus text format, published as a file for node_exporter's
// textfile collector: rendered in memory, then replaced atomically so the collector
// never reads half a file.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sekisho {

// How long something took, summed up as a Prometheus summary without quantiles reports
// it: quantiles would need every observation kept, the sum and count need two numbers
// (and the collector derives the mean over any interval from them).
struct DurationSummary {
    double sum_seconds = 0;
    std::uint64_t count = 0;

    void observe(std::chrono::steady_clock::duration d) {
        sum_seconds += std::chrono::duration<double>(d).count();
        ++count;
    }
    void merge(const DurationSummary& other) {
        sum_seconds += other.sum_seconds;
        count += other.count;
    }
};

class MetricsText {
  public:
    using Labels = std::vector<std::pair<std::string, std::string>>;

    void gauge(std::string_view name, std::string_view help, double value, Labels labels = {});
    void counter(std::string_view name, std::string_view help, double value, Labels labels = {});
    // `name_sum` and `name_count`; the name should end in its unit (`_seconds`).
    void summary(std::string_view name, std::string_view help, double sum_seconds,
                 std::uint64_t count, Labels labels = {});
    void summary(std::string_view name, std::string_view help, const DurationSummary& d,
                 Labels labels = {});
    std::string render() const;

  private:
    struct Sample {
        std::string_view suffix;  // "_sum", "_count" for a summary; else empty
        Labels labels;
        double value;
    };
    struct Family {
        std::string help;
        std::string type;
        std::vector<Sample> samples;
    };
    Family& family(std::string_view name, std::string_view help, std::string_view type,
                   const Labels& labels);
    std::map<std::string, Family> families_;
};

void publish_metrics(const std::filesystem::path& file, const MetricsText& metrics);

}  // namespace sekisho

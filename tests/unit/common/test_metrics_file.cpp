#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "common/metrics_file.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;

TEST_CASE("metrics render in the Prometheus text format", "[common][metrics]") {
    MetricsText m;
    m.counter("sekisho_items_total", "Items taken in", 3, {{"source", "mynaportal"}});
    m.counter("sekisho_items_total", "Items taken in", 5, {{"source", "chukan"}});
    m.gauge("sekisho_up", "Up", 1);
    CHECK(m.render() ==
          "# HELP sekisho_items_total Items taken in\n"
          "# TYPE sekisho_items_total counter\n"
          "sekisho_items_total{source=\"mynaportal\"} 3\n"
          "sekisho_items_total{source=\"chukan\"} 5\n"
          "# HELP sekisho_up Up\n"
          "# TYPE sekisho_up gauge\n"
          "sekisho_up 1\n");
}

TEST_CASE("a summary renders its sum and count, without quantiles", "[common][metrics]") {
    MetricsText m;
    m.summary("sekisho_fetch_duration_seconds", "Time per download", 2.5, 4,
              {{"source", "mynaportal"}});
    m.summary("sekisho_fetch_duration_seconds", "Time per download", 0, 0, {{"source", "chukan"}});
    DurationSummary d;
    d.observe(std::chrono::milliseconds(250));
    d.observe(std::chrono::milliseconds(500));
    m.summary("sekisho_send_duration_seconds", "Time per item", d);
    CHECK(m.render() ==
          "# HELP sekisho_fetch_duration_seconds Time per download\n"
          "# TYPE sekisho_fetch_duration_seconds summary\n"
          "sekisho_fetch_duration_seconds_sum{source=\"mynaportal\"} 2.5\n"
          "sekisho_fetch_duration_seconds_count{source=\"mynaportal\"} 4\n"
          "sekisho_fetch_duration_seconds_sum{source=\"chukan\"} 0\n"
          "sekisho_fetch_duration_seconds_count{source=\"chukan\"} 0\n"
          "# HELP sekisho_send_duration_seconds Time per item\n"
          "# TYPE sekisho_send_duration_seconds summary\n"
          "sekisho_send_duration_seconds_sum 0.75\n"
          "sekisho_send_duration_seconds_count 2\n");
}

TEST_CASE("duration summaries add up", "[common][metrics]") {
    DurationSummary a;
    a.observe(std::chrono::seconds(1));
    DurationSummary b;
    b.observe(std::chrono::milliseconds(500));
    b.observe(std::chrono::milliseconds(250));
    a.merge(b);
    CHECK(a.count == 3);
    CHECK(a.sum_seconds == 1.75);
}

TEST_CASE("label values are escaped and redacted", "[common][metrics]") {
    MetricsText m;
    m.gauge("g", "h", 1, {{"l", "a\"b 123456789018"}});
    CHECK(m.render().find("g{l=\"a\\\"b [number redacted]\"} 1") != std::string::npos);
}

TEST_CASE("bad names and type clashes are refused", "[common][metrics]") {
    MetricsText m;
    CHECK_THROWS(m.gauge("Bad-Name", "h", 1));
    CHECK_THROWS(m.gauge("ok", "h", 1, {{"bad label", "v"}}));
    m.gauge("same", "h", 1);
    CHECK_THROWS(m.counter("same", "h", 1));
    CHECK_THROWS(m.summary("same", "h", 1, 1));
    CHECK_THROWS(m.summary("Bad-Summary", "h", 1, 1));
}

TEST_CASE("the metrics file is replaced whole and readable by the collector", "[common][metrics]") {
    test::TempDir dir;
    MetricsText m;
    m.gauge("sekisho_up", "Up", 1);
    publish_metrics(dir / "x.prom", m);
    CHECK(test::read_file(dir / "x.prom") == m.render());
    struct stat st {};
    REQUIRE(::stat((dir / "x.prom").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
}

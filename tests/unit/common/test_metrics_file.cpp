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

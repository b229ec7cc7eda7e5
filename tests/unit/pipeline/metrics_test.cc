#include "pipeline/metrics.h"

#include <gtest/gtest.h>

#include "pipeline/engine_metrics.h"

namespace sluice {
namespace {

TEST(MetricsTest, PrometheusTextHasHelpTypeAndEscapedLabels) {
  MetricsRegistry r;
  r.GetCounter("sluice_x_total", "Things.", {{"pipeline", "a\"b"}, {"id", "c\\d"}}).Add(3);
  r.GetGauge("sluice_y", "Level.", {}).Set(-2);
  r.AddGaugeFunction("sluice_z", "Computed.", {{"p", "1"}}, [] { return 1.5; });
  EXPECT_EQ(r.PrometheusText(),
            "# HELP sluice_x_total Things.\n# TYPE sluice_x_total counter\n"
            "sluice_x_total{pipeline=\"a\\\"b\",id=\"c\\\\d\"} 3\n"
            "# HELP sluice_y Level.\n# TYPE sluice_y gauge\nsluice_y -2\n"
            "# HELP sluice_z Computed.\n# TYPE sluice_z gauge\nsluice_z{p=\"1\"} 1.5\n");
}

TEST(MetricsTest, HistogramsAreCumulativeBucketsWithSumAndCount) {
  MetricsRegistry r;
  Histogram& h = r.GetHistogram("sluice_h_seconds", "Latency.", {{"id", "o"}}, {0.1, 1});
  for (double v : {0.05, 0.1, 0.5, 2.0}) h.Observe(v);
  EXPECT_EQ(h.bucket(0), 2u);  // 0.05 and 0.1 (a bound is inclusive)
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(2), 1u);  // +Inf
  EXPECT_EQ(&r.GetHistogram("sluice_h_seconds", "Latency.", {{"id", "o"}}), &h);
  EXPECT_EQ(r.PrometheusText(),
            "# HELP sluice_h_seconds Latency.\n# TYPE sluice_h_seconds histogram\n"
            "sluice_h_seconds_bucket{id=\"o\",le=\"0.1\"} 2\n"
            "sluice_h_seconds_bucket{id=\"o\",le=\"1\"} 3\n"
            "sluice_h_seconds_bucket{id=\"o\",le=\"+Inf\"} 4\n"
            "sluice_h_seconds_sum{id=\"o\"} 2.65\n"
            "sluice_h_seconds_count{id=\"o\"} 4\n");
  auto samples = r.Snapshot();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].name, "sluice_h_seconds_count");
  EXPECT_EQ(samples[0].value, 4);
  EXPECT_EQ(samples[1].name, "sluice_h_seconds_sum");
  EXPECT_DOUBLE_EQ(samples[1].value, 2.65);
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameCounter) {
  MetricsRegistry r;
  Counter& a = r.GetCounter("c", "h", {{"k", "v"}});
  Counter& b = r.GetCounter("c", "h", {{"k", "v"}});
  Counter& other = r.GetCounter("c", "h", {{"k", "w"}});
  a.Add(1);
  b.Add(2);
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.value(), 3u);
  EXPECT_EQ(other.value(), 0u);
}

TEST(MetricsTest, ComponentMetricsCarryTheirLabelsAndDiscardReasons) {
  MetricsRegistry r;
  ComponentMetrics m(r, {{"pipeline", "p"}, {"kind", "filter"}, {"type", "drop"}, {"id", "d"}});
  m.received_events.Add(10);
  m.discarded("dropped").Add(4);
  std::string text = r.PrometheusText();
  EXPECT_NE(text.find("sluice_component_received_events_total{pipeline=\"p\",kind=\"filter\","
                      "type=\"drop\",id=\"d\"} 10\n"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_component_discarded_events_total{pipeline=\"p\",kind=\"filter\","
                      "type=\"drop\",id=\"d\",reason=\"dropped\"} 4\n"),
            std::string::npos);
}

TEST(MetricsTest, RemoveFunctionDropsOnlyThatSeries) {
  MetricsRegistry r;
  r.AddGaugeFunction("lag", "Lag.", {{"file", "1:2"}}, [] { return 5.0; });
  r.AddGaugeFunction("lag", "Lag.", {{"file", "1:3"}}, [] { return 7.0; });
  r.RemoveFunction("lag", {{"file", "1:2"}});
  r.RemoveFunction("missing", {});
  EXPECT_EQ(r.PrometheusText(), "# HELP lag Lag.\n# TYPE lag gauge\nlag{file=\"1:3\"} 7\n");
}

}  // namespace
}  // namespace sluice

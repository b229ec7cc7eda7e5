#include "agent/status_line.h"

#include <gtest/gtest.h>

namespace sluice::agent {
namespace {

Labels Component(const std::string& kind, const std::string& id) {
  return {{"pipeline", "p"}, {"kind", kind}, {"type", id}, {"id", id}};
}

TEST(StatusLineTest, RatesOverTheTimeBetweenReadingsWithLagAndErrors) {
  MetricsRegistry metrics;
  Counter& in =
      metrics.GetCounter("sluice_component_sent_events_total", "", Component("input", "file"));
  Counter& out =
      metrics.GetCounter("sluice_component_sent_events_total", "", Component("output", "kafka"));
  Counter& errors =
      metrics.GetCounter("sluice_component_errors_total", "", Component("output", "kafka"));
  Gauge& lag =
      metrics.GetGauge("sluice_kafka_input_consumer_lag_messages", "", {{"partition", "0"}});
  metrics.AddGaugeFunction("sluice_file_input_file_lag_bytes", "", {{"file", "1"}},
                           [] { return 1.5 * 1024 * 1024; });
  StatusTotals before = ReadStatusTotals(metrics, 1'000'000'000);
  in.Add(3000);
  out.Add(2000);
  errors.Add(2);
  lag.Set(42);
  StatusTotals now = ReadStatusTotals(metrics, 3'000'000'000);
  EXPECT_EQ(
      StatusLine(1, before, now),
      "1 pipeline: in 1500 ev/s, out 1000 ev/s, lag 42 messages + 1.5 MiB of files, 2 errors");
  EXPECT_EQ(StatusLine(2, now, now),
            "2 pipelines: in 0 ev/s, out 0 ev/s, lag 42 messages + 1.5 MiB of files, 2 errors");
}

}  // namespace
}  // namespace sluice::agent

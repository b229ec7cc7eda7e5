// `sluice top`'s frame: parsed from /metrics text, rates between two scrapes, what waits per
// component, and the frame cut to the terminal (80x24).
#include "agent/top_view.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::agent {
namespace {

std::string Component(const std::string& name, const std::string& pipeline, const std::string& kind,
                      const std::string& type, const std::string& id, double value) {
  return name + "{pipeline=\"" + pipeline + "\",kind=\"" + kind + "\",type=\"" + type + "\",id=\"" +
         id + "\"} " + std::to_string(value) + "\n";
}

// A /metrics text of pipeline `spark` (file → grok → kafka with a disk buffer) after `n` events.
std::string Metrics(double n) {
  std::string text =
      "# HELP sluice_component_sent_events_total Events handed on.\n"
      "# TYPE sluice_component_sent_events_total counter\n";
  text += Component("sluice_component_sent_events_total", "spark", "input", "file", "file", n);
  text += Component("sluice_component_received_events_total", "spark", "filter", "grok", "grok", n);
  text += Component("sluice_component_sent_events_total", "spark", "filter", "grok", "grok", n);
  text += Component("sluice_component_errors_total", "spark", "filter", "grok", "grok", 3);
  text += Component("sluice_component_received_events_total", "spark", "output", "kafka", "out", n);
  text += Component("sluice_component_sent_events_total", "spark", "output", "kafka", "out", n / 2);
  text += Component("sluice_buffer_bytes", "spark", "output", "kafka", "out", 3 * 1024 * 1024);
  text +=
      Component("sluice_file_input_checkpoint_lag_bytes", "spark", "input", "file", "file", 2048);
  text += "sluice_pipeline_inflight_bytes{pipeline=\"spark\"} 1048576\n";
  text += "process_unrelated_metric 7\n";
  return text;
}

TEST(TopViewTest, ParsesSeriesAndLabels) {
  MetricsScrape s = ParsePrometheusText(Metrics(10) + "broken line without value\n", 1.0);
  EXPECT_EQ(s.series.size(), 10u);
  const std::string key =
      "sluice_component_sent_events_total{pipeline=\"spark\",kind=\"output\",type=\"kafka\","
      "id=\"out\"}";
  ASSERT_TRUE(s.series.count(key));
  EXPECT_EQ(s.series.at(key), 5);
  EXPECT_EQ(LabelOf(key, "id"), "out");
  EXPECT_EQ(LabelOf(key, "kind"), "output");
  EXPECT_EQ(LabelOf(key, "missing"), "");
  EXPECT_EQ(LabelOf("a{path=\"x \\\"y\\\"\",id=\"z\"}", "id"), "z");
  EXPECT_EQ(LabelOf("a{path=\"x \\\"y\\\"\",id=\"z\"}", "path"), "x \"y\"");
}

TEST(TopViewTest, RatesAndWaitingPerComponentInAnEightyColumnFrame) {
  MetricsScrape before = ParsePrometheusText(Metrics(1000), 10.0);
  MetricsScrape now = ParsePrometheusText(Metrics(21000), 12.0);  // +20,000 in 2 s
  std::vector<std::string> lines = RenderTopFrame(before, now, {.title = "127.0.0.1:9600"});
  std::string frame;
  for (const std::string& l : lines) {
    EXPECT_LE(l.size(), 80u) << l;
    frame += l + "\n";
  }
  EXPECT_LE(lines.size(), 24u);
  ASSERT_EQ(lines.size(), 6u) << frame;  // header, columns, pipeline, 3 components
  EXPECT_NE(lines[0].find("1 pipeline(s)  in 10.0k ev/s  out 5000 ev/s"), std::string::npos)
      << frame;
  EXPECT_EQ(lines[2].rfind("spark", 0), 0u) << frame;
  EXPECT_NE(lines[2].find("inflight 1.0MiB"), std::string::npos) << frame;
  // Inputs, then filters, then outputs.
  EXPECT_EQ(lines[3].rfind("  file ", 0), 0u) << frame;
  EXPECT_NE(lines[3].find("ckpt 2.0KiB"), std::string::npos) << frame;
  EXPECT_EQ(lines[4].rfind("  grok ", 0), 0u) << frame;
  EXPECT_NE(lines[4].find("10.0k     10.0k       3"), std::string::npos) << frame;
  EXPECT_EQ(lines[5].rfind("  out (kafka)", 0), 0u) << frame;
  EXPECT_NE(lines[5].find("10.0k      5000       0  buffer 3.0MiB"), std::string::npos) << frame;
}

// A first frame has no earlier scrape for a series: no rate ("-"), never a made-up one.
TEST(TopViewTest, NoRateWithoutAnEarlierScrape) {
  MetricsScrape empty = ParsePrometheusText("", 0.0);
  MetricsScrape now = ParsePrometheusText(Metrics(500), 1.0);
  std::vector<std::string> lines = RenderTopFrame(empty, now, {});
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_NE(lines[4].find("        -         -"), std::string::npos) << lines[4];
}

// More rows than the terminal holds: cut, with a last line saying how many are hidden.
TEST(TopViewTest, CutToTheTerminalHeight) {
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += Component("sluice_component_sent_events_total", "p" + std::to_string(i), "input",
                      "stdin", "stdin", i);
  }
  MetricsScrape now = ParsePrometheusText(text, 1.0);
  std::vector<std::string> lines = RenderTopFrame(now, now, {.width = 40, .height = 10});
  ASSERT_EQ(lines.size(), 10u);
  for (const std::string& l : lines) EXPECT_LE(l.size(), 40u) << l;
  EXPECT_NE(lines.back().find("more row(s)"), std::string::npos) << lines.back();
}

}  // namespace
}  // namespace sluice::agent

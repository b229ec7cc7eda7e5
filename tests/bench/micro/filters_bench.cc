// Per-event cost of the parsing filters, on one core (Google Benchmark): a batch of 1024 events
// filtered again and again (after the first round the fields exist and are overwritten, as in a
// steady stream). Reported as events/s (items) and message MiB/s (bytes). The end-to-end figures
// (files, Kafka, peers) are tests/bench/run's; these find which filter a regression is in.
//   build/release/tests/bench/sluice_microbench --benchmark_filter=Kv
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>

#include "pipeline/event_batch.h"
#include "plugins/filters/dissect.h"
#include "plugins/filters/grok.h"
#include "plugins/filters/kv.h"
#include "plugins/filters/regex.h"
#include "plugins/filters/timestamp.h"
#include "plugins/inputs/generate/generate_spark_log.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::filters {
namespace {

using testing::BuildFilter;

constexpr int kBatch = 1024;

// Applies `filter` to every event of `batch`; false, with the benchmark stopped in error, when an
// event does not match (a benchmark of the failure path would measure the wrong thing).
template <typename F>
bool MatchAll(benchmark::State& state, F& filter, EventBatch& batch) {
  size_t matched = 0;
  for (Event& e : batch.events()) matched += filter.Apply(e) == FilterResult::kMatched;
  benchmark::DoNotOptimize(matched);
  if (matched == batch.size()) return true;
  state.SkipWithError("an event did not match");
  return false;
}

// Runs `filter` over `batch` once per iteration (the filter must leave what it parses as it
// was: kv, dissect and timestamp write other fields).
template <typename F>
void Run(benchmark::State& state, F& filter, EventBatch& batch) {
  size_t bytes = batch.MessageBytes();
  for (auto _ : state) {
    if (!MatchAll(state, filter, batch)) break;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}

// As Run, for filters that change what they parse (grok's SPARK_LOG4J rewrites the message): a
// fresh batch from `make` for every iteration, made outside the timed part.
template <typename F, typename Make>
void RunFresh(benchmark::State& state, F& filter, Make make) {
  size_t bytes = 0;
  size_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    EventBatch batch = make();
    bytes += batch.MessageBytes();
    events += batch.size();
    state.ResumeTiming();
    if (!MatchAll(state, filter, batch)) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

EventBatch SameLine(const char* line) {
  EventBatch batch(kBatch);
  for (int i = 0; i < kBatch; ++i) batch.Add(0, line);
  return batch;
}

// Synthetic Spark logs from the generate input's generator (2% of records with stack traces).
EventBatch SparkRecords() {
  inputs::generate::SparkLogGenerator generator({});
  EventBatch batch(kBatch);
  std::string record;
  for (int i = 0; i < kBatch; ++i) {
    record.clear();
    generator.Next(record);
    batch.Add(0, record);
  }
  return batch;
}

void BM_KvSixPairs(benchmark::State& state) {
  auto b = BuildFilter<KvFilter>(state.range(0) == 0 ? "{}" : "target: kv");
  EventBatch batch = SameLine(
      "ts=2017-06-09T20:10:40Z level=INFO app=application_1496969700420_0001 executor=3 "
      "msg=\"Finished task 4.0 in stage 1.0\" took=12ms");
  Run(state, *b->filter, batch);
}
BENCHMARK(BM_KvSixPairs)->Arg(0)->Arg(1)->ArgName("target");

void BM_DissectSparkLine(benchmark::State& state) {
  auto b = BuildFilter<DissectFilter>("pattern: '%{ts} %{+ts} %{level} %{logger}: %{msg}'");
  EventBatch batch = SameLine(
      "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers "
      "for [TERM, HUP, INT]");
  Run(state, *b->filter, batch);
}
BENCHMARK(BM_DissectSparkLine);

// Spark's own time format: in UTC, then in Europe/Paris as the second of two formats.
void BM_TimestampSparkTime(benchmark::State& state) {
  auto b = BuildFilter<TimestampFilter>(
      state.range(0) == 0 ? "field: ts\nformat: '%y/%m/%d %H:%M:%S'"
                          : "field: ts\nformats: ['%Y-%m-%d %H:%M:%S,%f', '%y/%m/%d %H:%M:%S']\n"
                            "timezone: Europe/Paris");
  EventBatch batch(kBatch);
  char text[32];
  for (int i = 0; i < kBatch; ++i) {
    // Many lines per second, as in real logs: a new second every 8 lines.
    std::snprintf(text, sizeof(text), "17/06/09 20:%02d:%02d", i / 8 / 60 % 60, i / 8 % 60);
    Event& e = batch.Add(0, text);
    e.SetView("ts", Value::String(e.message()));
  }
  Run(state, *b->filter, batch);
}
BENCHMARK(BM_TimestampSparkTime)->Arg(0)->Arg(1)->ArgName("paris");

// The shipped Spark pattern, anchored and not, on generated records.
void BM_GrokSparkLog4j(benchmark::State& state) {
  auto b = BuildFilter<GrokFilter>(state.range(0) == 1 ? "pattern: '^%{SPARK_LOG4J}'"
                                                       : "pattern: '%{SPARK_LOG4J}'");
  RunFresh(state, *b->filter, SparkRecords);
}
BENCHMARK(BM_GrokSparkLog4j)->Arg(1)->Arg(0)->ArgName("anchored");

// An access-log regex with eight groups (too many for RE2's one-pass engine).
void BM_RegexAccessLog(benchmark::State& state) {
  auto b = BuildFilter<RegexFilter>(
      R"y(pattern: '^(?P<host>[\w\.]+) - (?P<user>[\w]+) (?P<bytes_in>[\d]+) \[(?P<timestamp>.*)\] )y"
      R"y("(?P<method>[\w]+) (?P<path>.*)" (?P<status>[\d]+) (?P<bytes_out>[\d]+)$')y");
  std::mt19937_64 rng(1);
  const char* users[] = {"alice", "bob", "spark", "yarn"};
  const char* methods[] = {"GET", "POST", "PUT"};
  const char* paths[] = {"/api/v1/applications", "/jobs/job", "/stages", "/static/app.js"};
  EventBatch batch(kBatch);
  char line[256];
  for (int i = 0; i < kBatch; ++i) {
    int n =
        std::snprintf(line, sizeof(line),
                      "10.%d.%d.%d - %s %d [2019-01-14T17:%02d:%02d.%03dZ] \"%s %s/%d?id=%d\" "
                      "%d %d",
                      int(rng() % 256), int(rng() % 256), int(rng() % 256), users[rng() % 4],
                      int(100 + rng() % 5000), int(rng() % 60), int(rng() % 60), int(rng() % 1000),
                      methods[rng() % 3], paths[rng() % 4], int(rng() % 1000), int(rng() % 100000),
                      200 + int(rng() % 3) * 100, int(200 + rng() % 50000));
    batch.Add(0, std::string_view(line, static_cast<size_t>(n)));
  }
  Run(state, *b->filter, batch);
}
BENCHMARK(BM_RegexAccessLog);

}  // namespace
}  // namespace sluice::filters

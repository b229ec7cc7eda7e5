// TimeParser (plugins/common/time_parse.h) per text, on one core: lines in the same second as the
// one before (its cache), and every line in a new second (the full civil-time conversion).
//   build/release/tests/bench/sluice_microbench --benchmark_filter=TimeParse
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "plugins/common/time_parse.h"

namespace sluice::common {
namespace {

struct Case {
  const char* format;
  const char* zone;
  const char* text;
};
constexpr Case kCases[] = {
    {"%y/%m/%d %H:%M:%S", "UTC", "17/06/09 20:10:40"},
    {"%y/%m/%d %H:%M:%S", "Europe/Paris", "17/06/09 20:10:40"},
    {"%Y-%m-%d %H:%M:%S,%f", "Europe/Paris", "2015-10-18 18:01:47,978"},
    {"ISO8601", "UTC", "2017-06-09T20:10:40.123+02:00"},
};

void BM_TimeParseSameSecond(benchmark::State& state) {
  const Case& c = kCases[state.range(0)];
  auto parser = TimeParser::Make({c.format}, c.zone);
  if (!parser.ok()) {
    state.SkipWithError(parser.status().message().c_str());
    return;
  }
  TimeParser p = std::move(parser).value();
  state.SetLabel(std::string(c.format) + " " + c.zone);
  for (auto _ : state) {
    int64_t ns = 0;
    if (!p.Parse(c.text, &ns)) {
      state.SkipWithError("did not parse");
      break;
    }
    benchmark::DoNotOptimize(ns);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimeParseSameSecond)->DenseRange(0, 3);

void BM_TimeParseNewSecond(benchmark::State& state) {
  const char* zone = state.range(0) == 0 ? "UTC" : "Europe/Paris";
  auto parser = TimeParser::Make({"%F %T"}, zone);
  if (!parser.ok()) {
    state.SkipWithError(parser.status().message().c_str());
    return;
  }
  TimeParser p = std::move(parser).value();
  // A day of distinct seconds, prepared up front so that formatting is not measured.
  std::vector<std::string> texts;
  char text[32];
  for (int i = 0; i < 86400; i += 7) {
    std::snprintf(text, sizeof(text), "2017-06-09 %02d:%02d:%02d", i / 3600 % 24, i / 60 % 60,
                  i % 60);
    texts.emplace_back(text);
  }
  state.SetLabel(zone);
  size_t i = 0;
  for (auto _ : state) {
    int64_t ns = 0;
    if (!p.Parse(texts[i], &ns)) {
      state.SkipWithError("did not parse");
      break;
    }
    benchmark::DoNotOptimize(ns);
    if (++i == texts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimeParseNewSecond)->Arg(0)->Arg(1)->ArgName("paris");

}  // namespace
}  // namespace sluice::common

// SparkLogGenerator: the generate input's deterministic synthetic Spark log4j records, in the shape
// Spark writes them (`yy/MM/dd HH:mm:ss LEVEL logger: message`, Spark's default log4j layout), with
// a realistic mix of driver and executor messages (block manager, task start/finish, shuffle,
// memory store, python runner), WARN/ERROR lines, and multi-line Java stack traces (`\tat ...`,
// `Caused by: ...`, `\t... N more`). The same seed gives the same records, byte for byte. Also
// used by the benchmark data tool (tests/bench/gen_spark_log.cc), which compiles the
// generate_spark_*.cc sources on their own.
// Thread-safety: an instance is not thread-safe; make one per thread.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace sluice::inputs::generate {

struct SparkLine;

class SparkLogGenerator {
 public:
  struct Options {
    uint64_t seed = 42;
    // Event time of the first record (ns since the epoch); records advance by a few ms each.
    int64_t start_ns = 1'497'039'040'000'000'000;  // 2017-06-09T20:10:40Z, as in the LogHub sample
    // Fraction of records that carry a stack trace (WARN/ERROR with an exception).
    double stack_trace_ratio = 0.02;
  };

  explicit SparkLogGenerator(Options options);

  // Appends the next record to `out` (several lines joined with '\n' when it has a stack trace, no
  // trailing newline) and returns its event time in ns. `level` receives "INFO", "WARN", ...
  int64_t Next(std::string& out, std::string_view* level = nullptr);

  uint64_t records() const { return records_; }

 private:
  // Appends the text of an INFO record (the kind chosen by `line.r`).
  void AppendInfo(std::string& out, const SparkLine& line);

  Options options_;
  std::mt19937_64 rng_;
  int64_t now_ns_;
  uint64_t records_ = 0;
  uint64_t task_ = 0;
};

}  // namespace sluice::inputs::generate

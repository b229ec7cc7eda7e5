// gen_spark_log: writes synthetic Spark log4j records (SparkLogGenerator) as a log file, for the
// benchmarks. The same arguments give the same bytes.
//
//   gen_spark_log (--bytes SIZE | --records N) [--seed N] [--crlf] [--stack-trace-ratio R]
//                 [--format spark|apache] [--out PATH]
//
// --format apache writes Apache-style access lines instead, the input of the vector-test-harness
// regex case: `HOST - USER BYTES [RFC3339] "METHOD PATH" STATUS BYTES`.
//
// --bytes stops after the record that reaches SIZE, so the file holds whole records and is at most
// one record longer than SIZE. Exit status: 0 on success, 1 on an I/O error, 2 on bad arguments.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/inputs/generate/generate_spark_log.h"

namespace {

constexpr std::string_view kUsage =
    "usage: gen_spark_log (--bytes SIZE | --records N) [--seed N] [--crlf]\n"
    "                     [--stack-trace-ratio R] [--format spark|apache] [--out PATH]\n"
    "  --bytes SIZE           write whole records until SIZE bytes (suffixes: KiB, MiB, GiB,\n"
    "                         KB, MB, GB; e.g. 1GiB)\n"
    "  --records N            write N records\n"
    "  --seed N               generator seed (default 42)\n"
    "  --crlf                 end lines with CRLF instead of LF (also inside stack traces)\n"
    "  --stack-trace-ratio R  fraction of records with a stack trace (default 0.02)\n"
    "  --format F             spark (default) or apache (access lines for the regex case)\n"
    "  --out PATH             output file (default: stdout)\n";

constexpr size_t kFlushBytes = 1 << 20;

[[noreturn]] void Usage(std::string_view error) {
  if (!error.empty())
    std::fprintf(stderr, "gen_spark_log: %.*s\n", static_cast<int>(error.size()), error.data());
  std::fwrite(kUsage.data(), 1, kUsage.size(), stderr);
  std::exit(2);
}

std::optional<uint64_t> ParseUint(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// "1GiB", "256MiB", "64KB", "1000": an integer with an optional unit (case-insensitive).
std::optional<uint64_t> ParseSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::optional<uint64_t> number = ParseUint(text.substr(0, digits));
  if (!number) return std::nullopt;
  std::string unit(text.substr(digits));
  for (char& c : unit) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  struct Unit {
    std::string_view name;
    uint64_t factor;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"b", 1},
      {"kib", 1ULL << 10},
      {"mib", 1ULL << 20},
      {"gib", 1ULL << 30},
      {"tib", 1ULL << 40},
      {"kb", 1'000},
      {"mb", 1'000'000},
      {"gb", 1'000'000'000},
      {"tb", 1'000'000'000'000},
  };
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      if (*number > UINT64_MAX / u.factor) return std::nullopt;
      return *number * u.factor;
    }
  }
  return std::nullopt;
}

// Apache-style access lines from a xorshift generator: same seed, same bytes.
class ApacheLineGenerator {
 public:
  explicit ApacheLineGenerator(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  void Next(std::string& out) {
    static constexpr std::string_view kUsers[] = {"alice", "bob", "carol", "dave", "spark", "yarn"};
    static constexpr std::string_view kMethods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    static constexpr std::string_view kPaths[] = {
        "/api/v1/applications", "/jobs/job",      "/stages",       "/storage/rdd",
        "/executors",           "/static/app.js", "/metrics/json", "/environment"};
    static constexpr int kStatus[] = {200, 200, 200, 200, 201, 304, 404, 500};
    std::string_view user = Choose(kUsers);
    std::string_view method = Choose(kMethods);
    std::string_view path = Choose(kPaths);
    char buf[256];
    int n = std::snprintf(
        buf, sizeof(buf),
        "10.%u.%u.%u - %.*s %u [2019-01-14T17:%02u:%02u.%03uZ] \"%.*s %.*s/%u?id=%u\" %d %u",
        Pick(256), Pick(256), Pick(256), static_cast<int>(user.size()), user.data(),
        100 + Pick(5000), Pick(60), Pick(60), Pick(1000), static_cast<int>(method.size()),
        method.data(), static_cast<int>(path.size()), path.data(), Pick(1000), Pick(100000),
        kStatus[Pick(8)], 200 + Pick(50000));
    out.append(buf, static_cast<size_t>(n));
  }

 private:
  uint32_t Pick(uint32_t n) {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<uint32_t>(state_ % n);
  }
  template <typename T, size_t N>
  const T& Choose(const T (&a)[N]) {
    return a[Pick(N)];
  }
  uint64_t state_;
};

}  // namespace

int main(int argc, char** argv) {
  std::optional<uint64_t> bytes;
  std::optional<uint64_t> records;
  sluice::inputs::generate::SparkLogGenerator::Options options;
  bool crlf = false;
  std::string_view format = "spark";
  const char* out_path = nullptr;

  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) Usage(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--bytes") {
      bytes = ParseSize(value());
      if (!bytes) Usage("--bytes: expected a size such as 1GiB or 256MiB");
    } else if (arg == "--records") {
      records = ParseUint(value());
      if (!records) Usage("--records: expected a non-negative integer");
    } else if (arg == "--seed") {
      const std::optional<uint64_t> seed = ParseUint(value());
      if (!seed) Usage("--seed: expected a non-negative integer");
      options.seed = *seed;
    } else if (arg == "--stack-trace-ratio") {
      const std::string text(value());
      char* end = nullptr;
      errno = 0;
      const double ratio = std::strtod(text.c_str(), &end);
      if (errno != 0 || end != text.c_str() + text.size() || !(ratio >= 0 && ratio <= 1)) {
        Usage("--stack-trace-ratio: expected a number between 0 and 1");
      }
      options.stack_trace_ratio = ratio;
    } else if (arg == "--format") {
      format = value();
      if (format != "spark" && format != "apache") Usage("--format: expected spark or apache");
    } else if (arg == "--crlf") {
      crlf = true;
    } else if (arg == "--out") {
      out_path = value().data();  // argv strings are NUL-terminated
      if (*out_path == '\0') Usage("--out: expected a path");
    } else if (arg == "--help" || arg == "-h") {
      std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
      return 0;
    } else {
      Usage("unknown argument: " + std::string(arg));
    }
  }
  if (bytes.has_value() == records.has_value()) Usage("give exactly one of --bytes and --records");

  std::FILE* out = stdout;
  if (out_path != nullptr) {
    out = std::fopen(out_path, "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "gen_spark_log: cannot open %s: %s\n", out_path, std::strerror(errno));
      return 1;
    }
  }

  sluice::inputs::generate::SparkLogGenerator generator(options);
  ApacheLineGenerator apache(options.seed);
  std::string buffer;
  buffer.reserve(kFlushBytes + (64 << 10));
  std::string record;
  uint64_t written = 0;
  uint64_t count = 0;
  auto flush = [&]() {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
      std::fprintf(stderr, "gen_spark_log: write failed: %s\n", std::strerror(errno));
      std::exit(1);
    }
    written += buffer.size();
    buffer.clear();
  };

  while (records ? count < *records : written + buffer.size() < *bytes) {
    if (format == "apache") {
      apache.Next(buffer);
      if (crlf) buffer.push_back('\r');
      buffer.push_back('\n');
    } else if (crlf) {
      record.clear();
      generator.Next(record);
      for (char c : record) {
        if (c == '\n') buffer.push_back('\r');
        buffer.push_back(c);
      }
      buffer.append("\r\n", 2);
    } else {
      generator.Next(buffer);
      buffer.push_back('\n');
    }
    ++count;
    if (buffer.size() >= kFlushBytes) flush();
  }
  flush();
  if (std::fflush(out) != 0 || (out != stdout && std::fclose(out) != 0)) {
    std::fprintf(stderr, "gen_spark_log: write failed: %s\n", std::strerror(errno));
    return 1;
  }
  return 0;
}

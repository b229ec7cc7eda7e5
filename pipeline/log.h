// Self-logging: leveled lines on stderr, as text or JSON, each naming the component it is about
// (`[output:file:archive]`). Repeated data-path warnings go through a RateLimiter.
// Thread-safety: all functions may be called from any thread; lines are never interleaved.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

// Process-wide settings (from the config's `log:` section or the CLI; their names are in
// pipeline/config.h).
void SetLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
LogLevel GetLogLevel();

// Writes one log line (already formatted) for `component` ("" for the process itself).
void WriteLog(LogLevel level, std::string_view component, std::string_view message);

// Lets a repeated message through at most once per `interval_ms`; counts what it held back.
class RateLimiter {
 public:
  explicit RateLimiter(int64_t interval_ms = 10'000) : interval_ms_(interval_ms) {}
  // True when the caller should log now; *suppressed is how many calls were held back since.
  bool Allow(uint64_t* suppressed);

 private:
  const int64_t interval_ms_;
  std::atomic<int64_t> next_ms_{0};
  std::atomic<uint64_t> suppressed_{0};
};

class Logger {
 public:
  explicit Logger(std::string component = "") : component_(std::move(component)) {}
  const std::string& component() const { return component_; }

  // Logs `message` the first time this component logs it in this process, and never again (for
  // plugins built once per worker that report the same setup problem).
  void Once(LogLevel level, const std::string& message) const;

  template <typename... Args>
  void Log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) const {
    if (level < GetLogLevel()) return;
    WriteLog(level, component_, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void Debug(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kDebug, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Info(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kInfo, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Warn(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kWarn, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void Error(fmt::format_string<Args...> f, Args&&... args) const {
    Log(LogLevel::kError, f, std::forward<Args>(args)...);
  }
  // Logs through `limiter` (repeated data-path messages): at most one line per its interval, and
  // that line says how many like it were held back since the last one.
  template <typename... Args>
  void Limited(RateLimiter& limiter, LogLevel level, fmt::format_string<Args...> f,
               Args&&... args) const {
    if (level < GetLogLevel()) return;
    uint64_t suppressed = 0;
    if (!limiter.Allow(&suppressed)) return;
    std::string message = fmt::format(f, std::forward<Args>(args)...);
    if (suppressed > 0) message += fmt::format(" ({} more like this not logged)", suppressed);
    WriteLog(level, component_, message);
  }

 private:
  std::string component_;
};

}  // namespace sluice

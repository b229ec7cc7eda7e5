#include "pipeline/log.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <set>

#include "pipeline/clock.h"
#include "pipeline/json_string.h"

namespace sluice {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};
std::mutex g_write_mu;

// As written in log lines (lowercase in JSON, uppercase in text), indexed by LogLevel.
constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

int64_t NowMs() { return WallNs() / 1'000'000; }

std::string Timestamp() {
  int64_t ms = NowMs();
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
void SetLogFormat(LogFormat format) { g_format = format; }
LogLevel GetLogLevel() { return g_level; }

void WriteLog(LogLevel level, std::string_view component, std::string_view message) {
  std::string line;
  std::string_view level_name = kLevelNames[static_cast<int>(level)];
  if (g_format == LogFormat::kJson) {
    line = "{\"ts\":\"" + Timestamp() + "\",\"level\":\"";
    line += level_name;
    line += "\"";
    if (!component.empty()) {
      line += ",\"component\":";
      AppendJsonString(line, component);
    }
    line += ",\"msg\":";
    AppendJsonString(line, message);
    line += "}\n";
  } else {
    line = Timestamp();
    line += ' ';
    for (char c : level_name) line += static_cast<char>(c - 'a' + 'A');
    line += ' ';
    if (!component.empty()) {
      line += '[';
      line += component;
      line += "] ";
    }
    line += message;
    line += '\n';
  }
  std::lock_guard lock(g_write_mu);
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

bool RateLimiter::Allow(uint64_t* suppressed) {
  int64_t now = NowMs();
  int64_t next = next_ms_.load();
  if (now >= next && next_ms_.compare_exchange_strong(next, now + interval_ms_)) {
    *suppressed = suppressed_.exchange(0);
    return true;
  }
  suppressed_.fetch_add(1);
  return false;
}

void Logger::Once(LogLevel level, const std::string& message) const {
  static std::mutex mu;
  static std::set<std::string> seen;
  {
    std::lock_guard lock(mu);
    if (!seen.insert(component_ + '\n' + message).second) return;
  }
  Log(level, "{}", message);
}

}  // namespace sluice

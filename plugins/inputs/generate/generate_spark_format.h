// How the Spark log generator writes the pieces of a line: numbers, sizes and times the way Spark
// and Hadoop print them, host names, task references and block ids. Everything appends straight to
// the caller's string: no allocation once `out` has grown, no streams, no format-string parsing;
// numbers are written by hand. Internal to the generate input (generate_spark_*.cc). Thread-safety:
// pure functions.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/civil_time.h"

namespace sluice::inputs::generate {

inline constexpr uint64_t kTasksPerStage = 40;
inline constexpr uint64_t kHosts = 32;

inline void Append(std::string& out, std::string_view text) {
  out.append(text.data(), text.size());
}

inline void AppendUint(std::string& out, uint64_t value) {
  char buf[20];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out.append(p, static_cast<size_t>(end - p));
}

inline void AppendInt(std::string& out, int64_t value) {
  if (value < 0) {
    out.push_back('-');
    AppendUint(out, 0 - static_cast<uint64_t>(value));
  } else {
    AppendUint(out, static_cast<uint64_t>(value));
  }
}

// Writes `value` zero-padded to `width` digits (value must fit).
inline void AppendPadded(std::string& out, uint64_t value, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

// "12.3" from 123 tenths.
inline void AppendTenths(std::string& out, uint64_t tenths) {
  AppendUint(out, tenths / 10);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + tenths % 10));
}

// Spark's Utils.bytesToString: one decimal and the largest unit (powers of 1024) that keeps the
// value at least 1, e.g. "252.0 B", "5.2 KB", "413.9 MB", "17.7 GB".
inline void AppendByteString(std::string& out, uint64_t bytes) {
  using std::string_view_literals::operator""sv;
  static constexpr std::array<std::string_view, 4> kUnits = {" B"sv, " KB"sv, " MB"sv, " GB"sv};
  uint64_t unit = 1;
  size_t index = 0;
  while (index + 1 < kUnits.size() && bytes >= unit * 1024) {
    unit *= 1024;
    ++index;
  }
  AppendTenths(out, (bytes * 10 + unit / 2) / unit);
  Append(out, kUnits[index]);
}

inline void Put2(char* p, unsigned value) {
  p[0] = static_cast<char>('0' + value / 10 % 10);
  p[1] = static_cast<char>('0' + value % 10);
}

// "yy/MM/dd HH:mm:ss" in UTC, as Spark's default log4j layout prints it.
inline void AppendTimestamp(std::string& out, int64_t ns) {
  const CivilTime t = ToCivil(ns);
  char buf[17] = {'0', '0', '/', '0', '0', '/', '0', '0', ' ',
                  '0', '0', ':', '0', '0', ':', '0', '0'};
  Put2(buf, static_cast<unsigned>(((t.year % 100) + 100) % 100));
  Put2(buf + 3, static_cast<unsigned>(t.month));
  Put2(buf + 6, static_cast<unsigned>(t.day));
  Put2(buf + 9, static_cast<unsigned>(t.hour));
  Put2(buf + 12, static_cast<unsigned>(t.minute));
  Put2(buf + 15, static_cast<unsigned>(t.second));
  out.append(buf, sizeof(buf));
}

// "201706092010": the yyyyMMddHHmm Hadoop puts in job and attempt ids.
inline void AppendJobTrackerId(std::string& out, int64_t ns) {
  const CivilTime t = ToCivil(ns);
  AppendPadded(out, static_cast<uint64_t>(std::clamp<int64_t>(t.year, 0, 9999)), 4);
  AppendPadded(out, t.month, 2);
  AppendPadded(out, t.day, 2);
  AppendPadded(out, t.hour, 2);
  AppendPadded(out, t.minute, 2);
}

// "12.345 s": whole seconds and a fraction of `digits` digits (it must fit).
inline void AppendSeconds(std::string& out, uint64_t seconds, uint64_t fraction, int digits) {
  AppendUint(out, seconds);
  out.push_back('.');
  AppendPadded(out, fraction, digits);
  Append(out, std::string_view(" s"));
}

inline void AppendHost(std::string& out, uint64_t host) {
  Append(out, std::string_view("host-"));
  AppendPadded(out, host, 2);
}

// "host-12/10.0.3.12:7337", the way Netty prints a resolved peer.
inline void AppendPeer(std::string& out, uint64_t host) {
  AppendHost(out, host);
  Append(out, std::string_view("/10.0.3."));
  AppendUint(out, host);
  Append(out, std::string_view(":7337"));
}

// "10.0.0.5:4xxxx", the driver's RPC address (its port follows from the seed).
inline void AppendDriver(std::string& out, uint64_t seed) {
  Append(out, std::string_view("10.0.0.5:"));
  AppendUint(out, 40'000 + seed % 20'000);
}

// "70293f72-844a-4b39-9ad6-fb0ad7e364e4" from 128 random bits.
inline void AppendUuid(std::string& out, uint64_t high, uint64_t low) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const uint64_t word = i < 16 ? high : low;
    out.push_back(kHex[(word >> (4 * (i % 16))) & 15]);
  }
}

// Which task a line talks about: stage and index follow from the TID, 40 tasks a stage.
struct Task {
  uint64_t tid, stage, index;
};

inline Task TaskFromTid(uint64_t tid) { return {tid, tid / kTasksPerStage, tid % kTasksPerStage}; }

// "task 3.0 in stage 1.0 (TID 12"
inline void AppendTaskRef(std::string& out, const Task& task, uint64_t attempt) {
  Append(out, std::string_view("task "));
  AppendUint(out, task.index);
  out.push_back('.');
  AppendUint(out, attempt);
  Append(out, std::string_view(" in stage "));
  AppendUint(out, task.stage);
  Append(out, std::string_view(".0 (TID "));
  AppendUint(out, task.tid);
}

// "rdd_2_3": the cached partition a task works on.
inline void AppendRddBlock(std::string& out, const Task& task) {
  Append(out, std::string_view("rdd_"));
  AppendUint(out, task.stage / 2 + 2);
  out.push_back('_');
  AppendUint(out, task.index);
}

}  // namespace sluice::inputs::generate

// FileOptions: the `file` input's options (what to read, how to frame it, the limits and timeouts
// of tailing) and their schema, the one table that checks configs and generates the option docs.
// Thread-safety: immutable once parsed; shared read-only by the input's thread and its files.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pipeline/options/option_schema.h"
#include "pipeline/units.h"
#include "plugins/common/multiline/multiline.h"
#include "plugins/inputs/file/file_glob.h"

namespace sluice::inputs::file {

// Multiline joining is common (plugins/common/multiline): the s3 input uses it too.
using common::kJavaContinuation;
using common::kSparkStart;
using common::MultilineAggregator;
using common::MultilineEvent;
using common::MultilineOptions;
using common::MultilinePreset;
using common::MultilineRules;

// Where reading starts in the files found at the very first start (`read_from`).
enum class ReadFrom : uint8_t { kBeginning, kEnd };
inline constexpr config::EnumName<ReadFrom> kReadFromNames[] = {{"beginning", ReadFrom::kBeginning},
                                                                {"end", ReadFrom::kEnd}};
constexpr std::span<const config::EnumName<ReadFrom>> OptionNames(ReadFrom) {
  return kReadFromNames;
}

// How the files' lines are framed (`format`): plain lines, or CRI container log lines.
enum class FileFormat : uint8_t { kRaw, kCri };
inline constexpr config::EnumName<FileFormat> kFileFormatNames[] = {{"raw", FileFormat::kRaw},
                                                                    {"cri", FileFormat::kCri}};
constexpr std::span<const config::EnumName<FileFormat>> OptionNames(FileFormat) {
  return kFileFormatNames;
}

struct FileOptions {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  ReadFrom read_from = ReadFrom::kBeginning;
  Duration scan_interval{std::chrono::seconds(10)};
  int64_t max_open_files = 1024;
  ByteSize max_read_bytes{1 << 20};
  ByteSize max_line_bytes{1 << 20};
  ByteSize fingerprint_bytes{1024};
  Duration partial_timeout{std::chrono::seconds(5)};
  Duration ignore_older{std::chrono::seconds(0)};
  Duration close_inactive{std::chrono::minutes(5)};
  Duration rotate_wait{std::chrono::seconds(5)};
  Duration close_removed_after{std::chrono::minutes(5)};
  bool exit_on_eof = false;
  bool drop_cache = true;
  FileFormat format = FileFormat::kRaw;
  MultilineOptions multiline;
  std::string host;
  int64_t batch_events = 1024;

  // Not an option: `include` and `exclude` compiled, once every option parsed, by the schema (a
  // FileOptions it did not parse has none).
  std::shared_ptr<const GlobSet> globs;

  // The schema: keys, types, defaults, limits and descriptions; it compiles `globs`.
  static const config::OptionSchema<FileOptions>& Schema();
};

}  // namespace sluice::inputs::file

// FileOptions: the `file` input's options (what to read, how to frame it, the limits and timeouts
// of tailing) and their schema, the one table that checks configs and generates the option docs.
// Thread-safety: immutable once parsed; shared read-only by the input's thread and its files.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/options/option_schema.h"
#include "pipeline/units.h"
#include "plugins/inputs/file/file_multiline.h"

namespace sluice::inputs::file {

struct FileOptions {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::string read_from = "beginning";
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
  std::string format = "raw";  // "raw" or "cri"
  MultilineOptions multiline;
  std::string host;
  int64_t batch_events = 1024;
  // The schema: keys, types, defaults, limits and descriptions; its check compiles the globs.
  static const config::OptionSchema<FileOptions>& Schema();
};

}  // namespace sluice::inputs::file

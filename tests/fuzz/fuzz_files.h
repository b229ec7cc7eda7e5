// What the fuzz targets that read files (checkpoint_reader, disk_buffer_reader) share: a scratch
// directory of the process's own, removed when it exits, and writing an input into a file there.
// Thread-safety: none; libFuzzer calls a target from one thread.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace sluice::fuzz {

// /tmp/sluice-fuzz-NAME-PID, the same on every call (one NAME per process: the target's), removed
// at exit. Not created here.
inline const std::string& ScratchDir(const char* name) {
  static const std::string dir = fmt::format("/tmp/sluice-fuzz-{}-{}", name, ::getpid());
  // Registered after `dir` is built, so it runs before `dir` is destroyed.
  static const bool removed_at_exit = [] {
    return std::atexit([] {
             std::error_code ignored;
             std::filesystem::remove_all(dir, ignored);
           }) == 0;
  }();
  (void)removed_at_exit;
  return dir;
}

// Writes `content` to `path`, replacing it; false when it could not.
inline bool WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out);
}

}  // namespace sluice::fuzz

// Fuzz target: reading a checkpoint file (CheckpointStore::Open). The input, after a first byte of
// flags, is written as a checkpoint file under a directory of this process's own
// (/tmp/sluice-fuzz-checkpoint-PID) and opened as an input's checkpoints would be.
// Flags: bit 0 appends a correct `crc32` trailer, so that the entries behind the CRC check are
// reached; bit 1 writes the file as the backup (`.bak`) instead, with the primary missing, or with
// bit 2 a corrupt primary next to it.
// Checks, besides no crash, leak or undefined behaviour: a store that opens reads back every entry
// it holds; one that does not has an error naming the file.
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "pipeline/checkpoint_store.h"
#include "pipeline/log.h"
#include "tests/fuzz/fuzz_files.h"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "checkpoint_reader_fuzzer: %s\n", what);
  std::abort();
}

// This process's directory (/tmp/sluice-fuzz-checkpoint-PID), made fresh at the first call and
// removed at exit.
const std::string& Dir() {
  const std::string& dir = sluice::fuzz::ScratchDir("checkpoint");
  static const bool fresh = [&dir] {
    sluice::SetLogLevel(sluice::LogLevel::kError);  // a backup in use warns: not on every run
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    return true;
  }();
  (void)fresh;
  return dir;
}

void WriteFile(const std::string& path, std::string_view content) {
  if (!sluice::fuzz::WriteFile(path, content)) Fail("cannot write the checkpoint file");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return -1;
  const uint8_t flags = data[0];
  std::string content(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (flags & 1) {
    const auto crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(content.data()),
                                                 static_cast<uInt>(content.size())));
    content += fmt::format("crc32 {:08x}\n", crc);
  }

  const std::string path = Dir() + "/input.ckpt";
  std::error_code ec;
  for (const char* suffix : {"", ".bak", ".tmp"}) fs::remove(path + suffix, ec);
  if (flags & 2) {
    WriteFile(path + ".bak", content);
    if (flags & 4) WriteFile(path, "sluice-checkpoints 1\n");  // no trailer: corrupt
  } else {
    WriteFile(path, content);
  }

  static const sluice::Logger logger("input:fuzz:checkpoints");
  auto store = sluice::CheckpointStore::Open(path, logger);
  if (!store.ok()) {
    if (store.status().message().find(path) == std::string::npos) {
      Fail("an error that does not name the file");
    }
    return 0;
  }
  for (const auto& [key, value] : (*store)->Entries()) {
    if ((*store)->Get(key) != value) Fail("an entry does not read back");
  }
  return 0;
}

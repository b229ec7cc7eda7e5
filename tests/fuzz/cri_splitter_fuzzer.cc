// Fuzz target: the file input's line splitter and CRI decoder (`format: cri`). The input is a
// file's bytes after a first byte that sets the read size (1-256 bytes): a LineSplitter
// (max_line_bytes 256) cuts them into lines as reads deliver them, and a CriDecoder turns the lines
// into container lines (prefix parsed, partial `P` lines joined), as FileTailer does.
// Checks, besides no crash, leak or undefined behaviour: the splitter's pieces account for every
// byte and none is longer than max_line_bytes; container lines come in file order, are never
// longer than max_line_bytes, and carry a stream and no time only when malformed; nothing is left
// pending once the file ends and the decoder is flushed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "plugins/common/line_splitter.h"
#include "plugins/inputs/file/file_cri.h"

namespace {

namespace file = sluice::inputs::file;

constexpr size_t kMaxLineBytes = 256;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "cri_splitter_fuzzer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return -1;
  const size_t chunk = size_t{data[0]} + 1;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  sluice::common::LineSplitter splitter(kMaxLineBytes);
  file::CriDecoder cri(kMaxLineBytes);
  uint64_t offset = 0;    // where the next file line starts
  uint64_t last_end = 0;  // where the last container line ended

  auto on_cri_line = [&](const file::CriLine& c) {
    if (c.begin < last_end || c.end <= c.begin || c.end > offset) {
      Fail("a container line outside the file or out of order");
    }
    last_end = c.end;
    if (c.text.size() > kMaxLineBytes) Fail("a container line over max_line_bytes");
    if (c.malformed) {
      if (!c.stream.empty() || c.time_ns != 0) Fail("a malformed line with a stream or time");
    } else if (c.stream != "stdout" && c.stream != "stderr") {
      Fail("a container line without its stream");
    }
  };
  auto on_line = [&](std::string_view line, bool truncated, size_t consumed) {
    if (line.size() > kMaxLineBytes) Fail("a line over max_line_bytes");
    const uint64_t begin = offset;
    offset += consumed;
    if (line.empty() && truncated) return;  // the end of a line handed out in pieces
    cri.Push(line, begin, offset, truncated, on_cri_line);
  };

  for (size_t pos = 0; pos < text.size(); pos += chunk) {
    splitter.Feed(text.substr(pos, chunk), on_line);
  }
  splitter.Finish(on_line);
  cri.Flush(on_cri_line);

  if (offset != text.size()) Fail("the lines do not account for every byte");
  if (splitter.pending_bytes() != 0 || cri.pending()) Fail("something left pending");
  return 0;
}

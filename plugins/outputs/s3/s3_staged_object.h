// StagedObject: one object of the s3 output between its first event and its upload: its key, what
// it holds (events, the last Kafka offset, the acks of its batches) and its bytes, compressed as
// they come into a staging file under data_dir, so an open object costs a bounded buffer
// (kWriteChunk) however large it grows. An object whose compression or staging file failed is
// `broken`: it is not uploaded and its batches are not acked (their events are read again).
// Thread-safety: written by the output's thread until Finish(); then handed (under the output's
// lock) to the upload thread, which only reads it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/delivery.h"
#include "plugins/common/compressor.h"

namespace sluice::outputs::s3 {

struct StagedObject {
  // Compressed bytes buffered before a staging file write.
  static constexpr size_t kWriteChunk = 256 << 10;

  // Creates (or truncates) the staging file `path`, compressed by `compressor`. A file that
  // cannot be created breaks the object at its first write.
  void StartStaging(std::string path, std::unique_ptr<common::StreamCompressor> compressor);
  // Compresses `line` (one encoded event) into the object, counting it in `events` and
  // `raw_bytes`; writes the compressed bytes to the staging file once kWriteChunk of them wait.
  void Append(std::string_view line);
  // Ends the compressed stream, writes the rest to the staging file and closes it: `staged` is
  // then the object's size. Called once, after the last Append.
  void Finish();
  // Compressed bytes so far: in the staging file, and buffered.
  uint64_t size() const { return staged + buffer.size(); }

  std::string group;  // a Kafka partition (`topic+partition`) or, for other events, the prefix
  std::string prefix;
  std::string key;
  bool kafka = false;
  int64_t last_offset = -1;
  int64_t first_event_ns = 0;
  int64_t opened_ns = 0;  // monotonic
  uint64_t events = 0;
  uint64_t raw_bytes = 0;  // encoded, before compression: what the object holds of the pipeline
  std::unique_ptr<common::StreamCompressor> compressor;
  std::string buffer;  // compressed, not yet in the staging file
  std::string staging_path;
  int fd = -1;
  uint64_t staged = 0;  // bytes in the staging file
  bool broken = false;  // compression or the staging file failed: its batches fail
  std::vector<std::shared_ptr<SharedAck>> acks;
};

}  // namespace sluice::outputs::s3

// Fuzz target: replaying a disk buffer (pipeline/buffer/): the SegmentLog reader and the batch
// codec, as DiskBuffer's reader uses them. The input becomes segment 1 of a buffer directory of
// this process's own (/tmp/sluice-fuzz-buffer-PID), which is opened and read to the end: every
// record is read again at its position (a retry) and its payload, an 8-byte write time and an
// encoded batch, is decoded; a record that does not decode counts as corrupt. Then the position
// is committed.
// Input: a flags byte, then (flag 2) a 2-byte ack offset, then the segment. Flags: bit 0 frames
// the segment as records with correct headers and CRCs, so that the codec is reached: each record
// is a control byte, a 2-byte length and that many payload bytes; the control byte can flip the
// CRC (bit 0), tear the record in half (bit 1), or put garbage before it (bit 2; the magic with
// bit 3). Bit 1 writes an ack file at the given offset of segment 1, bit 2 one with a bad CRC.
// Checks, besides no crash, leak or undefined behaviour: every byte after the ack position is a
// record read or counted as skipped (torn and corrupt stretches are skipped and counted, never
// fatal); positions follow the records; a record reads the same again; a batch that decodes
// encodes to a fixed point (encode, decode, encode gives the same bytes).
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "pipeline/buffer/batch_codec.h"
#include "pipeline/buffer/crc32c.h"
#include "pipeline/buffer/little_endian.h"
#include "pipeline/buffer/segment_log.h"
#include "tests/fuzz/fuzz_files.h"

namespace {

namespace fs = std::filesystem;
namespace buffer = sluice::buffer;

constexpr uint32_t kMagic = 0x31424C53;     // "SLB1", segment_log.cc's record magic
constexpr uint32_t kAckMagic = 0x4B434153;  // "SACK", its ack file's
constexpr size_t kTimeBytes = 8;            // a record's payload starts with its write time
constexpr size_t kMaxRecords = 1 << 16;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "disk_buffer_reader_fuzzer: %s\n", what);
  std::abort();
}

// This process's buffer directory (/tmp/sluice-fuzz-buffer-PID), removed at exit.
const std::string& Dir() { return sluice::fuzz::ScratchDir("buffer"); }

void WriteFile(const std::string& path, std::string_view content) {
  if (!sluice::fuzz::WriteFile(path, content)) Fail("cannot write into the buffer directory");
}

// Reads the framed form (see above) into segment bytes.
std::string Frame(std::string_view in) {
  std::string out;
  while (in.size() >= 3) {
    const auto control = static_cast<uint8_t>(in[0]);
    size_t length = static_cast<uint8_t>(in[1]) | (size_t{static_cast<uint8_t>(in[2])} << 8);
    in.remove_prefix(3);
    length = std::min(length, in.size());
    const std::string_view payload = in.substr(0, length);
    in.remove_prefix(length);
    if (control & 4) {
      const size_t garbage = 1 + (control >> 4);
      for (size_t i = 0; i < garbage; ++i) out += (control & 8) ? "SLB1"[i % 4] : '\0';
    }
    char header[buffer::SegmentLog::kHeaderBytes];
    buffer::PutLittleEndian32(header, kMagic);
    buffer::PutLittleEndian32(header + 4, static_cast<uint32_t>(payload.size()));
    uint32_t crc = buffer::Crc32c(payload, buffer::Crc32c(std::string_view(header + 4, 4)));
    if (control & 1) crc ^= 1;
    buffer::PutLittleEndian32(header + 8, crc);
    out.append(header, sizeof(header));
    out.append(payload.substr(0, (control & 2) ? payload.size() / 2 : payload.size()));
  }
  return out;
}

// The payload as DiskBuffer::Hand decodes it; a batch that decodes must re-encode stably.
void DecodePayload(const std::string& payload) {
  if (payload.size() < kTimeBytes) return;  // counted as corrupt by the buffer
  sluice::Result<sluice::EventBatch> batch =
      buffer::DecodeBatch(std::string_view(payload).substr(kTimeBytes));
  if (!batch.ok()) {
    if (batch.status().message().empty()) Fail("a corrupt batch without a reason");
    return;
  }
  std::string once;
  buffer::EncodeBatch(*batch, once);
  sluice::Result<sluice::EventBatch> again = buffer::DecodeBatch(once);
  if (!again.ok()) Fail("an encoded batch does not decode");
  std::string twice;
  buffer::EncodeBatch(*again, twice);
  if (once != twice) Fail("encode(decode(encode(batch))) differs from encode(batch)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.empty()) return -1;
  const auto flags = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  uint64_t ack_offset = 0;
  if (flags & 6) {
    if (in.size() < 2) return -1;
    ack_offset = static_cast<uint8_t>(in[0]) | (uint64_t{static_cast<uint8_t>(in[1])} << 8);
    in.remove_prefix(2);
  }
  const std::string segment = (flags & 1) ? Frame(in) : std::string(in);

  const std::string& dir = Dir();
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) Fail("cannot create the buffer directory");
  WriteFile(dir + "/00000000000000000001.seg", segment);
  if (flags & 6) {
    char ack[24];
    buffer::PutLittleEndian64(ack, 1);
    buffer::PutLittleEndian64(ack + 8, ack_offset);
    buffer::PutLittleEndian32(ack + 16, buffer::Crc32c(std::string_view(ack, 16)) ^ (flags & 4));
    buffer::PutLittleEndian32(ack + 20, kAckMagic);
    WriteFile(dir + "/ack", std::string_view(ack, sizeof(ack)));
  }

  auto log = buffer::SegmentLog::Open({.dir = dir});
  if (!log.ok()) Fail("a buffer directory with a bad segment does not open");
  buffer::SegmentLog& reader = **log;
  const buffer::RecordPos start = reader.read_position();

  std::string payload;
  std::string again;
  buffer::RecordPos pos;
  buffer::RecordPos next;
  buffer::Skipped skipped;
  uint64_t record_bytes = 0;
  for (size_t records = 0; records < kMaxRecords; ++records) {
    if (!reader.ReadNext(&payload, &pos, &next, &skipped)) break;
    if (next.segment != pos.segment ||
        next.offset != pos.offset + buffer::SegmentLog::kHeaderBytes + payload.size()) {
      Fail("the position after a record is not where it ends");
    }
    record_bytes += buffer::SegmentLog::kHeaderBytes + payload.size();
    if (!reader.ReadAt(pos, &again).ok() || again != payload) Fail("a record reads differently");
    DecodePayload(payload);
  }
  if (start.segment == 1 && record_bytes + skipped.bytes != segment.size() - start.offset) {
    Fail("bytes neither read nor counted as skipped");
  }
  if (!reader.Commit(reader.read_position()).ok()) Fail("the read position does not commit");
  return 0;
}

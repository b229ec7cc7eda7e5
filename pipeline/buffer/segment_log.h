// SegmentLog: the files of one output's disk buffer, an append-only log of records split into
// segment files (`<20-digit sequence>.seg`) under one directory, with the position of the first
// record not yet delivered kept in a small `ack` file.
//
// A record is a 12-byte header (magic "SLB1", payload length, CRC-32C over the length and the
// payload) and its payload. The writer appends records to the newest segment and starts a new one
// past `segment_bytes`; each run writes into a segment of its own, so a tail torn by a crash stays
// in a sealed segment. The reader streams records one at a time from the ack position on (memory
// holds one record, never a segment). A torn tail or a corrupt record is skipped: the reader looks
// for the next valid header, and reports what it skipped (records and bytes) so that the owner
// counts and logs it; it never refuses to open and never stops at bad bytes.
// Commit() moves the ack position and deletes the segments wholly before it.
//
// An append that fails (ENOSPC, EIO) leaves nothing of its record behind: the segment is cut back
// to its last whole record, and the caller may retry later.
// Thread-safety: one writer thread (Append, Sync) and one reader thread (ReadNext, ReadAt, Commit)
// may work at once; disk_bytes() and the counters from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "pipeline/status.h"

namespace sluice::buffer {

// Where a record starts: its segment's sequence number and byte offset.
struct RecordPos {
  uint64_t segment = 0;
  uint64_t offset = 0;
  friend bool operator==(const RecordPos&, const RecordPos&) = default;
};

// Bytes the reader passed over, and in how many stretches (each a torn tail or corrupt record).
struct Skipped {
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t segment = 0;  // the segment of the last stretch
};

class SegmentLog {
 public:
  struct Options {
    std::string dir;
    uint64_t segment_bytes = 32ull << 20;
    uint32_t max_record_bytes = 256u << 20;
  };
  static constexpr size_t kHeaderBytes = 12;

  // Opens (creating) `options.dir`, locks it against a second process, and positions the reader
  // at the ack position (the first segment when the ack file is missing or bad: replaying more is
  // safe, skipping is not). An error only when the directory cannot be created, read or locked.
  static Result<std::unique_ptr<SegmentLog>> Open(const Options& options);
  ~SegmentLog();
  SegmentLog(const SegmentLog&) = delete;
  SegmentLog& operator=(const SegmentLog&) = delete;

  // Appends one record. On failure nothing of it stays on disk.
  Status Append(std::string_view payload);
  // Makes every appended record durable (fdatasync of the newest segment; the older ones were
  // synced when they were sealed).
  Status Sync();

  // The next record after the last one read: true with its payload, its position and the position
  // after it; false when the reader has caught up with the writer. Stretches of bad bytes on the
  // way are added to `skipped`.
  bool ReadNext(std::string* payload, RecordPos* pos, RecordPos* next, Skipped* skipped);
  // Reads the record at `pos` again (a retry); an error when it is no longer valid there.
  Status ReadAt(RecordPos pos, std::string* payload);
  // Everything before `first_pending` is delivered: the ack file records it and the segments
  // wholly before it are deleted. Returns an error when the ack file cannot be written (the
  // position then stays where it was: a later restart replays more).
  Status Commit(RecordPos first_pending);

  // Where the reader is: the position after the last record read.
  RecordPos read_position() const { return read_; }
  // Bytes of every segment on disk.
  uint64_t disk_bytes() const { return disk_bytes_.load(); }
  size_t segment_count() const;
  // The first segment this run wrote: records in older ones are a previous run's (a replay).
  uint64_t run_first_segment() const { return run_first_segment_; }
  const std::string& dir() const { return options_.dir; }

 private:
  struct Segment {
    uint64_t seq;
    uint64_t size;  // whole records written (the writer publishes after each append)
    bool sealed;
  };
  explicit SegmentLog(Options options) : options_(std::move(options)) {}
  std::string PathOf(uint64_t seq) const;
  Status OpenActive(uint64_t seq);
  Status Roll();
  void SealActive();  // marks the writer's segment sealed (no more records will come)
  // A whole valid record at `offset` of the open read segment, below `limit`.
  bool ValidAt(uint64_t offset, uint64_t limit, std::string* payload, uint32_t* length);
  // The offset of the next valid record after `offset` (before `limit`), or `limit`.
  uint64_t Resync(uint64_t offset, uint64_t limit);
  bool OpenReadSegment(uint64_t seq);

  const Options options_;
  int lock_fd_ = -1;
  int ack_fd_ = -1;
  mutable std::mutex mu_;  // segments_
  std::deque<Segment> segments_;
  std::atomic<uint64_t> disk_bytes_{0};
  uint64_t run_first_segment_ = 0;

  // Writer.
  int write_fd_ = -1;
  uint64_t write_seq_ = 0;
  uint64_t write_size_ = 0;

  // Reader.
  int read_fd_ = -1;
  uint64_t read_fd_seq_ = 0;
  RecordPos read_;
  RecordPos committed_;
  bool committed_valid_ = false;
};

}  // namespace sluice::buffer

#include "pipeline/buffer/segment_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <vector>

#include "pipeline/buffer/crc32c.h"
#include "pipeline/buffer/little_endian.h"

namespace sluice::buffer {
namespace {

constexpr uint32_t kMagic = 0x31424C53;     // "SLB1" little-endian
constexpr uint32_t kAckMagic = 0x4B434153;  // "SACK"
constexpr size_t kAckBytes = 24;

uint32_t RecordCrc(const char* length_bytes, std::string_view payload) {
  return Crc32c(payload, Crc32c(std::string_view(length_bytes, 4)));
}

// Reads exactly `n` bytes at `offset`; false on a short read or an error.
bool PreadFull(int fd, char* buf, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

Status Errno(std::string_view what, const std::string& path) {
  return IoError(fmt::format("cannot {} '{}': {}", what, path, std::strerror(errno)));
}

void SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Result<std::unique_ptr<SegmentLog>> SegmentLog::Open(const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return IoError(
        fmt::format("cannot create the buffer directory '{}': {}", options.dir, ec.message()));
  }
  std::unique_ptr<SegmentLog> log(new SegmentLog(options));
  const std::string lock_path = options.dir + "/lock";
  log->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (log->lock_fd_ < 0) return Errno("open", lock_path);
  if (::flock(log->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return IoError(
        fmt::format("the buffer directory '{}' is in use by another process", options.dir));
  }

  std::vector<uint64_t> seqs;
  for (const auto& entry : std::filesystem::directory_iterator(options.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 24 || !name.ends_with(".seg")) continue;
    uint64_t seq = 0;
    if (std::from_chars(name.data(), name.data() + 20, seq).ptr != name.data() + 20) continue;
    seqs.push_back(seq);
  }
  if (ec) return IoError(fmt::format("cannot list '{}': {}", options.dir, ec.message()));
  std::sort(seqs.begin(), seqs.end());

  const std::string ack_path = options.dir + "/ack";
  log->ack_fd_ = ::open(ack_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (log->ack_fd_ < 0) return Errno("open", ack_path);
  char ack[kAckBytes];
  RecordPos start;
  bool have_ack = false;
  if (PreadFull(log->ack_fd_, ack, kAckBytes, 0) && GetLittleEndian32(ack + 20) == kAckMagic &&
      GetLittleEndian32(ack + 16) == Crc32c(std::string_view(ack, 16))) {
    start = {GetLittleEndian64(ack), GetLittleEndian64(ack + 8)};
    have_ack = true;
  }

  for (uint64_t seq : seqs) {
    struct stat st {};
    const std::string path = log->PathOf(seq);
    if (::stat(path.c_str(), &st) != 0) continue;
    if (have_ack && seq < start.segment) {
      ::unlink(path.c_str());  // delivered before the last run stopped
      continue;
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    log->segments_.push_back({seq, size, true});
    log->disk_bytes_ += size;
  }
  const bool ack_usable = have_ack && !log->segments_.empty() &&
                          log->segments_.front().seq == start.segment &&
                          start.offset <= log->segments_.front().size;
  if (ack_usable) {
    log->read_ = start;
  } else if (!log->segments_.empty()) {
    log->read_ = {log->segments_.front().seq, 0};
  }
  const uint64_t next_seq = seqs.empty() ? 1 : seqs.back() + 1;
  if (log->segments_.empty()) log->read_ = {next_seq, 0};
  log->run_first_segment_ = next_seq;
  Status s = log->OpenActive(next_seq);
  if (!s.ok()) return s;
  return log;
}

SegmentLog::~SegmentLog() {
  for (int fd : {write_fd_, read_fd_, ack_fd_, lock_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

std::string SegmentLog::PathOf(uint64_t seq) const {
  return fmt::format("{}/{:020d}.seg", options_.dir, seq);
}

size_t SegmentLog::segment_count() const {
  std::lock_guard lock(mu_);
  return segments_.size();
}

Status SegmentLog::OpenActive(uint64_t seq) {
  const std::string path = PathOf(seq);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  SyncDir(options_.dir);
  write_fd_ = fd;
  write_seq_ = seq;
  write_size_ = 0;
  std::lock_guard lock(mu_);
  segments_.push_back({seq, 0, false});
  return Status::Ok();
}

void SegmentLog::SealActive() {
  std::lock_guard lock(mu_);
  for (Segment& s : segments_) {
    if (s.seq == write_seq_) s.sealed = true;
  }
}

Status SegmentLog::Roll() {
  if (::fdatasync(write_fd_) != 0) return Errno("sync", PathOf(write_seq_));
  ::close(write_fd_);
  write_fd_ = -1;
  SealActive();
  return OpenActive(write_seq_ + 1);
}

Status SegmentLog::Append(std::string_view payload) {
  if (payload.size() > options_.max_record_bytes) {
    return InvalidArgument(fmt::format("a record of {} bytes is over the buffer's limit of {}",
                                       payload.size(), options_.max_record_bytes));
  }
  if (write_fd_ < 0) {
    Status s = OpenActive(write_seq_ + 1);  // a failed Roll() left no segment open
    if (!s.ok()) return s;
  }
  const uint64_t record_bytes = kHeaderBytes + payload.size();
  if (write_size_ > 0 && write_size_ + record_bytes > options_.segment_bytes) {
    Status s = Roll();
    if (!s.ok()) return s;
  }
  char header[kHeaderBytes];
  PutLittleEndian32(header, kMagic);
  PutLittleEndian32(header + 4, static_cast<uint32_t>(payload.size()));
  PutLittleEndian32(header + 8, RecordCrc(header + 4, payload));
  iovec iov[2] = {{header, kHeaderBytes}, {const_cast<char*>(payload.data()), payload.size()}};
  uint64_t written = 0;
  while (written < record_bytes) {
    // Skip what the last pass wrote.
    iovec part[2];
    int n = 0;
    uint64_t skip = written;
    for (const iovec& v : iov) {
      if (skip >= v.iov_len) {
        skip -= v.iov_len;
        continue;
      }
      part[n++] = {static_cast<char*>(v.iov_base) + skip, v.iov_len - skip};
      skip = 0;
    }
    ssize_t w = ::pwritev(write_fd_, part, n, static_cast<off_t>(write_size_ + written));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      if (w == 0) errno = ENOSPC;
      Status s = Errno("write", PathOf(write_seq_));
      // Nothing of a half-written record may stay: the reader would count it as corrupt.
      if (::ftruncate(write_fd_, static_cast<off_t>(write_size_)) != 0) {
        ::close(write_fd_);
        write_fd_ = -1;  // the next Append() starts a new segment
        SealActive();
      }
      return s;
    }
    written += static_cast<uint64_t>(w);
  }
  write_size_ += record_bytes;
  disk_bytes_ += record_bytes;
  std::lock_guard lock(mu_);
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    if (it->seq == write_seq_) {
      it->size = write_size_;
      break;
    }
  }
  return Status::Ok();
}

Status SegmentLog::Sync() {
  if (write_fd_ >= 0 && ::fdatasync(write_fd_) != 0) return Errno("sync", PathOf(write_seq_));
  return Status::Ok();
}

bool SegmentLog::OpenReadSegment(uint64_t seq) {
  if (read_fd_ >= 0 && read_fd_seq_ == seq) return true;
  if (read_fd_ >= 0) ::close(read_fd_);
  read_fd_ = ::open(PathOf(seq).c_str(), O_RDONLY | O_CLOEXEC);
  read_fd_seq_ = seq;
  return read_fd_ >= 0;
}

bool SegmentLog::ValidAt(uint64_t offset, uint64_t limit, std::string* payload, uint32_t* length) {
  if (limit < offset || limit - offset < kHeaderBytes) return false;
  char header[kHeaderBytes];
  if (!PreadFull(read_fd_, header, kHeaderBytes, offset)) return false;
  if (GetLittleEndian32(header) != kMagic) return false;
  const uint32_t n = GetLittleEndian32(header + 4);
  if (n > options_.max_record_bytes || limit - offset - kHeaderBytes < n) return false;
  payload->resize(n);
  if (!PreadFull(read_fd_, payload->data(), n, offset + kHeaderBytes)) return false;
  if (RecordCrc(header + 4, *payload) != GetLittleEndian32(header + 8)) return false;
  *length = n;
  return true;
}

uint64_t SegmentLog::Resync(uint64_t offset, uint64_t limit) {
  char magic[4];
  PutLittleEndian32(magic, kMagic);
  std::string chunk(64 * 1024, '\0');
  std::string scratch;
  uint64_t pos = offset + 1;
  while (pos + kHeaderBytes <= limit) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), limit - pos));
    if (!PreadFull(read_fd_, chunk.data(), want, pos)) return limit;
    std::string_view view(chunk.data(), want);
    size_t at = 0;
    while ((at = view.find(std::string_view(magic, 4), at)) != std::string_view::npos) {
      uint32_t length = 0;
      if (ValidAt(pos + at, limit, &scratch, &length)) return pos + at;
      ++at;
    }
    // The magic may straddle two chunks: go on 3 bytes before this one's end.
    pos += want > 3 ? want - 3 : want;
  }
  return limit;
}

bool SegmentLog::ReadNext(std::string* payload, RecordPos* pos, RecordPos* next, Skipped* skipped) {
  for (;;) {
    // The read segment, or the next one when it is gone (deleted by hand), and its successor.
    Segment seg{};
    bool found = false;
    uint64_t following = 0;
    bool has_following = false;
    {
      std::lock_guard lock(mu_);
      auto it = std::find_if(segments_.begin(), segments_.end(),
                             [&](const Segment& s) { return s.seq >= read_.segment; });
      if (it != segments_.end()) {
        if (it->seq != read_.segment) read_ = {it->seq, 0};
        seg = *it;
        found = true;
        if (std::next(it) != segments_.end()) {
          following = std::next(it)->seq;
          has_following = true;
        }
      }
    }
    if (!found) return false;
    if (read_.offset >= seg.size) {
      if (!seg.sealed || !has_following) return false;
      read_ = {following, 0};
      continue;
    }
    if (!OpenReadSegment(seg.seq)) {
      // Unreadable: everything in it counts as skipped.
      skipped->records += 1;
      skipped->bytes += seg.size - read_.offset;
      skipped->segment = seg.seq;
      read_.offset = seg.size;
      continue;
    }
    uint32_t length = 0;
    if (ValidAt(read_.offset, seg.size, payload, &length)) {
      *pos = read_;
      read_.offset += kHeaderBytes + length;
      *next = read_;
      return true;
    }
    const uint64_t resumed = Resync(read_.offset, seg.size);
    skipped->records += 1;
    skipped->bytes += resumed - read_.offset;
    skipped->segment = seg.seq;
    read_.offset = resumed;
  }
}

Status SegmentLog::ReadAt(RecordPos pos, std::string* payload) {
  uint64_t limit = 0;
  {
    std::lock_guard lock(mu_);
    for (const Segment& s : segments_) {
      if (s.seq == pos.segment) limit = s.size;
    }
  }
  uint32_t length = 0;
  if (!OpenReadSegment(pos.segment) || !ValidAt(pos.offset, limit, payload, &length)) {
    return IoError(
        fmt::format("the record at {}:{} cannot be read again", PathOf(pos.segment), pos.offset));
  }
  return Status::Ok();
}

Status SegmentLog::Commit(RecordPos first_pending) {
  if (committed_valid_ && committed_ == first_pending) return Status::Ok();
  char ack[kAckBytes];
  PutLittleEndian64(ack, first_pending.segment);
  PutLittleEndian64(ack + 8, first_pending.offset);
  PutLittleEndian32(ack + 16, Crc32c(std::string_view(ack, 16)));
  PutLittleEndian32(ack + 20, kAckMagic);
  // One small pwrite: a process killed around it leaves the old or the new position (the page
  // cache outlives the process). A power cut may lose it, which only replays more.
  if (::pwrite(ack_fd_, ack, kAckBytes, 0) != static_cast<ssize_t>(kAckBytes)) {
    return Errno("write", options_.dir + "/ack");
  }
  committed_ = first_pending;
  committed_valid_ = true;
  std::vector<uint64_t> doomed;
  {
    std::lock_guard lock(mu_);
    while (!segments_.empty() && segments_.front().sealed &&
           segments_.front().seq < first_pending.segment) {
      doomed.push_back(segments_.front().seq);
      disk_bytes_ -= segments_.front().size;
      segments_.pop_front();
    }
  }
  for (uint64_t seq : doomed) {
    if (read_fd_ >= 0 && read_fd_seq_ == seq) {
      ::close(read_fd_);
      read_fd_ = -1;
    }
    ::unlink(PathOf(seq).c_str());
  }
  return Status::Ok();
}

}  // namespace sluice::buffer

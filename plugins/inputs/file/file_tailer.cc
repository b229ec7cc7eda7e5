#include "plugins/inputs/file/file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

#include "pipeline/clock.h"

namespace sluice::inputs::file {

FileTailer::FileTailer(std::string key, std::string path, const FileOptions& options,
                       std::shared_ptr<const MultilineRules> rules,
                       std::shared_ptr<FileCommit> commit, Sink* sink)
    : options_(options),
      rules_(std::move(rules)),
      sink_(sink),
      key_(std::move(key)),
      path_(std::move(path)),
      splitter_(options.max_line_bytes.bytes),
      multiline_(rules_),
      cri_(options.format == FileFormat::kCri
               ? std::make_unique<CriDecoder>(options.max_line_bytes.bytes)
               : nullptr),
      commit_(std::move(commit)) {}

bool FileTailer::OpenNew(int* open_errno) {
  *open_errno = 0;
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    *open_errno = errno;
    return false;
  }
  auto fp = ComputeFingerprint(fd_, static_cast<uint32_t>(options_.fingerprint_bytes.bytes), path_);
  if (!fp.ok()) {
    Close();
    return false;
  }
  fingerprint_ = fp.value();
  return true;
}

FileTailer::Reopened FileTailer::Reopen() {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Reopened::kNo;
  struct stat st;
  if (::fstat(fd, &st) != 0 || IdentityKey(st) != key_) {
    ::close(fd);  // the path names another file now; the old one is gone for us
    return Reopened::kNo;
  }
  // The inode may have been freed and reused while the file was closed: check its first bytes.
  auto prefix = ComputeFingerprint(fd, fingerprint_.length, path_);
  fd_ = fd;
  if (prefix.ok() && prefix.value() != fingerprint_) {
    auto fp =
        ComputeFingerprint(fd, static_cast<uint32_t>(options_.fingerprint_bytes.bytes), path_);
    if (fp.ok()) fingerprint_ = fp.value();
    source_id_ = Fnv1a(key_, fingerprint_.hash ^ static_cast<uint64_t>(WallNs())) | 1;
    rotated_ = false;
    removed_ = false;
    return Reopened::kNewFile;  // a new file on a reused inode: read from its start
  }
  return Reopened::kSame;
}

std::string FileTailer::CurrentPath() const {
  if (fd_ < 0) return {};
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd_);
  std::string target(PATH_MAX, '\0');
  ssize_t n = ::readlink(link, target.data(), target.size());
  if (n <= 0 || static_cast<size_t>(n) >= target.size()) return {};
  target.resize(static_cast<size_t>(n));
  // A deleted file's link ends in " (deleted)"; a file on a path that is not absolute (another
  // mount namespace, a pseudo file system) has no usable name either.
  if (target.front() != '/' || target.ends_with(" (deleted)")) return {};
  return target;
}

uint64_t FileTailer::DropCache(uint64_t acked, bool settled) {
  constexpr uint64_t kStep = 1 << 20;
  if (fd_ < 0) return 0;
  if (acked < dropped_) dropped_ = 0;
  if (acked == dropped_ || (!settled && acked - dropped_ < kStep)) return 0;
  // From the page that holds `dropped_` (its tail may have been acked since); the kernel drops
  // only the whole pages of the range.
  const uint64_t from = dropped_ & ~uint64_t{4095};
  ::posix_fadvise(fd_, static_cast<off_t>(from), static_cast<off_t>(acked - from),
                  POSIX_FADV_DONTNEED);
  const uint64_t covered = acked - dropped_;
  dropped_ = acked;
  return covered;
}

void FileTailer::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FileTailer::StartsWith(const Fingerprint& prefix) const {
  auto fp = ComputeFingerprint(fd_, prefix.length, path_);
  return fp.ok() && fp.value() == prefix;
}

bool FileTailer::Refresh(int64_t now_mono) {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return false;
  size_ = static_cast<uint64_t>(st.st_size);
  if (st.st_nlink == 0 && !removed_) {
    removed_ = true;
    removed_mono_ = now_mono;
  }
  return true;
}

void FileTailer::Refingerprint() {
  auto fp = ComputeFingerprint(fd_, static_cast<uint32_t>(options_.fingerprint_bytes.bytes), path_);
  if (fp.ok()) fingerprint_ = fp.value();
}

void FileTailer::GrowFingerprint() {
  if (fingerprint_.length >= options_.fingerprint_bytes.bytes || size_ <= fingerprint_.length) {
    return;
  }
  auto fp = ComputeFingerprint(fd_, static_cast<uint32_t>(options_.fingerprint_bytes.bytes), path_);
  if (fp.ok()) {
    fingerprint_ = fp.value();
    commit_->SetFingerprint(fingerprint_);
  }
}

ssize_t FileTailer::ReadChunk(std::vector<char>& buffer, int64_t now_mono) {
  if (size_ <= offset_) return 0;
  size_t want = static_cast<size_t>(std::min<uint64_t>(size_ - offset_, buffer.size()));
  ssize_t n = ::pread(fd_, buffer.data(), want, static_cast<off_t>(offset_));
  if (n <= 0) return n < 0 ? -1 : 0;
  offset_ += static_cast<uint64_t>(n);
  last_growth_mono_ = now_mono;
  return n;
}

void FileTailer::Feed(std::string_view data, int64_t read_time_ns) {
  splitter_.Feed(data, [&](std::string_view line, bool truncated, size_t consumed) {
    OnSplitLine(line, truncated, consumed, read_time_ns);
  });
  if (splitter_.pending_bytes() == 0) {
    partial_since_mono_ = 0;
  } else {  // partial_timeout counts from the last growth: a slow writer is not cut
    partial_since_mono_ = last_growth_mono_;
  }
}

void FileTailer::FlushPartial(int64_t now_mono, bool force, int64_t read_time_ns) {
  bool partial_due = splitter_.pending_bytes() > 0 && partial_since_mono_ != 0 &&
                     now_mono - partial_since_mono_ >= options_.partial_timeout.value.count();
  if (force || partial_due) {
    splitter_.Finish([&](std::string_view line, bool truncated, size_t consumed) {
      OnSplitLine(line, truncated, consumed, read_time_ns);
    });
    partial_since_mono_ = 0;
  }
  // A container line whose last part never came (the container was killed mid-line).
  if (cri_ && cri_->pending() &&
      (force || now_mono - cri_partial_since_mono_ >= options_.partial_timeout.value.count())) {
    cri_->Flush(
        [&](const CriLine& c) { PushLine(c.text, c.begin, c.end, c.truncated, &c, read_time_ns); });
    cri_partial_since_mono_ = 0;
  }
}

void FileTailer::FlushEvents(int64_t now_ns, bool force) {
  multiline_.Flush(now_ns, force, [&](const MultilineEvent& e) { HandOut(e); });
}

void FileTailer::Restart(uint64_t offset) {
  offset_ = offset;
  line_offset_ = offset;
  splitter_.Reset();
  multiline_ = MultilineAggregator(rules_);
  if (cri_) cri_ = std::make_unique<CriDecoder>(options_.max_line_bytes.bytes);
  cri_lines_.clear();
  cri_partial_since_mono_ = 0;
  partial_since_mono_ = 0;
}

void FileTailer::OnSplitLine(std::string_view line, bool truncated, size_t consumed,
                             int64_t read_time_ns) {
  if (abandoned_) return;  // given up while this read was being split
  uint64_t begin = line_offset_;
  line_offset_ += consumed;
  if (line.empty() && truncated) return;  // the end of a line already handed out in pieces
  ++lines_;
  if (cri_) {
    cri_->Push(line, begin, line_offset_, truncated, [&](const CriLine& c) {
      PushLine(c.text, c.begin, c.end, c.truncated, &c, read_time_ns);
    });
    cri_partial_since_mono_ = cri_->pending() ? MonoNs() : 0;
    return;
  }
  PushLine(line, begin, line_offset_, truncated, nullptr, read_time_ns);
}

void FileTailer::PushLine(std::string_view line, uint64_t begin, uint64_t end, bool truncated,
                          const CriLine* cri, int64_t read_time_ns) {
  if (cri != nullptr) {
    cri_lines_.push_back({begin, cri->time_ns, cri->stream == "stderr", cri->malformed});
  }
  multiline_.Push(line, begin, end, truncated, read_time_ns,
                  [&](const MultilineEvent& e) { HandOut(e); });
  sink_->OnLine(*this);
}

void FileTailer::HandOut(const MultilineEvent& e) {
  const CriMeta* cri = nullptr;
  if (cri_) {
    while (!cri_lines_.empty() && cri_lines_.front().begin < e.begin_offset) {
      cri_lines_.pop_front();
    }
    if (!cri_lines_.empty() && cri_lines_.front().begin == e.begin_offset) {
      cri = &cri_lines_.front();
    }
  }
  sink_->OnEvent(*this, e, cri);
  if (cri_) {
    while (!cri_lines_.empty() && cri_lines_.front().begin < e.end_offset) {
      cri_lines_.pop_front();
    }
  }
}

}  // namespace sluice::inputs::file

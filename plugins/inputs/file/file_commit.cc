#include "plugins/inputs/file/file_commit.h"

#include <algorithm>

namespace sluice::inputs::file {

void FileCommit::AddLag(int64_t bytes) const {
  if (auto lag = lag_.lock()) lag->fetch_add(bytes);
}

void FileCommit::CommitLocked(uint64_t acked) {
  AddLag(-static_cast<int64_t>(acked - saved_.offset));
  saved_.offset = acked;
  if (store_) store_->Set(key_, saved_.Encode());
}

uint64_t FileCommit::NewGeneration(uint64_t offset, uint64_t checkpoint,
                                   const Fingerprint& fingerprint, uint64_t source_id,
                                   const std::string& path) {
  uint64_t generation;
  std::string encoded;
  {
    std::lock_guard lock(mu_);
    AddLag(-static_cast<int64_t>(emitted_ - saved_.offset));
    generation = ++generation_;
    previous_generation_acked_ = saved_.offset;
    successor_.reset();
    saved_.offset = checkpoint;
    saved_.fingerprint = fingerprint;
    saved_.source_id = source_id;
    saved_.path = path;
    emitted_ = offset;
    AddLag(static_cast<int64_t>(offset - checkpoint));
    encoded = saved_.Encode();
  }
  if (store_) store_->Set(key_, encoded);
  return generation;
}

void FileCommit::Emitted(uint64_t end) {
  std::lock_guard lock(mu_);
  if (gone_) return;
  AddLag(static_cast<int64_t>(end - emitted_));
  emitted_ = end;
}

void FileCommit::Ack(uint64_t generation, uint64_t acked) {
  std::lock_guard lock(mu_);
  if (gone_) return;
  if (generation_ != generation) {
    if (!successor_ && generation + 1 == generation_) {
      previous_generation_acked_ = std::max(previous_generation_acked_, acked);
    }
    if (!successor_ || handed_over_ != generation) return;
    FileCommit& next = *successor_;
    std::lock_guard next_lock(next.mu_);  // order: original, then copy (never the reverse)
    if (next.gone_ || next.generation_ != successor_generation_) return;
    if (acked <= next.saved_.offset || acked > next.emitted_) return;
    next.CommitLocked(acked);
    return;
  }
  CommitLocked(acked);
}

void FileCommit::HandOver(uint64_t generation, const std::shared_ptr<FileCommit>& copy) {
  std::lock_guard lock(mu_);
  successor_ = copy;
  handed_over_ = generation;
  std::lock_guard copy_lock(copy->mu_);
  successor_generation_ = copy->generation_;
  // Acks of that content that arrived between the truncation and now count there too.
  uint64_t late = previous_generation_acked_;
  if (generation_ == generation + 1 && late > copy->saved_.offset && late <= copy->emitted_) {
    copy->CommitLocked(late);
  }
}

void FileCommit::Forget() {
  {
    std::lock_guard lock(mu_);
    if (gone_) return;
    AddLag(-static_cast<int64_t>(emitted_ - saved_.offset));
    gone_ = true;
  }
  if (store_) store_->Erase(key_);
}

bool FileCommit::gone() const {
  std::lock_guard lock(mu_);
  return gone_;
}

void FileCommit::SetPath(const std::string& path) {
  std::lock_guard lock(mu_);
  saved_.path = path;
}

void FileCommit::SetFingerprint(const Fingerprint& fingerprint) {
  std::lock_guard lock(mu_);
  saved_.fingerprint = fingerprint;
}

FileCommit::State FileCommit::state() const {
  std::lock_guard lock(mu_);
  return State{.generation = generation_, .acked = saved_.offset, .emitted = emitted_};
}

uint64_t FileCommit::lag() const {
  std::lock_guard lock(mu_);
  return emitted_ - saved_.offset;
}

SavedFile FileCommit::saved() const {
  std::lock_guard lock(mu_);
  return saved_;
}

CopyStart ContinueCopy(const TruncatedOrigin& origin, uint64_t copy_size) {
  CopyStart start;
  start.offset = std::min(origin.read_offset, copy_size);
  start.checkpoint = std::min(origin.acked_offset, start.offset);
  return start;
}

std::optional<TruncatedOrigin> CopyDetector::TakeOrigin(
    const std::function<bool(const TruncatedOrigin&)>& is_copy) {
  auto best = truncated_.end();
  for (auto it = truncated_.begin(); it != truncated_.end(); ++it) {
    if (best != truncated_.end() && it->fingerprint.length <= best->fingerprint.length) continue;
    if (is_copy(*it)) best = it;
  }
  if (best == truncated_.end()) return std::nullopt;
  TruncatedOrigin origin = std::move(*best);
  truncated_.erase(best);
  return origin;
}

void CopyDetector::EndScan(const std::set<std::string>& found, int64_t now_mono) {
  std::erase_if(deferred_, [&](const auto& d) { return !found.count(d.first); });
  std::erase_if(truncated_,
                [&](const TruncatedOrigin& t) { return now_mono - t.mono > kMemoryNs; });
}

uint64_t CheckpointLimit(uint64_t line_offset, const common::MultilineAggregator& multiline,
                         const CriDecoder* cri) {
  uint64_t begin = multiline.pending() ? multiline.pending_begin() : line_offset;
  if (cri && cri->pending()) begin = std::min(begin, cri->pending_begin());
  return begin;
}

}  // namespace sluice::inputs::file

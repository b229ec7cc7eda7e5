// SourceTracker: orders the acks of one source (a file, a Kafka partition, stdin). Each batch the
// source emits gets a sequence number with the checkpoint it reaches (an offset); acks may arrive
// in any order, but the checkpoint only advances over the contiguous prefix of acked batches, and
// `on_commit` sees checkpoints strictly in emission order. This is what makes delivery
// at-least-once: a crash re-reads from the last committed checkpoint.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace sluice {

class SourceTracker {
 public:
  using CommitFn = std::function<void(uint64_t checkpoint)>;

  SourceTracker(std::string name, CommitFn on_commit)
      : name_(std::move(name)), on_commit_(std::move(on_commit)) {}

  const std::string& name() const { return name_; }

  // Registers a batch that reaches `checkpoint`; returns its sequence number.
  uint64_t Begin(uint64_t checkpoint);
  // Marks batch `seq` fully acked. Calls on_commit (under the tracker's lock, so commits are
  // ordered) with the newest checkpoint of the acked prefix when that prefix grew.
  void Complete(uint64_t seq);

  // Marks batch `seq` as not delivered: the checkpoint stops before it for the rest of the run
  // (the source is read again from there after a restart). Batches before it still commit.
  void Fail(uint64_t seq);

  // Batches begun but not yet committed.
  uint64_t pending() const;
  // True once a failed batch reached the front: nothing of this source commits any more.
  bool stuck() const;
  // The last checkpoint handed to on_commit, and whether there was one.
  bool committed(uint64_t* checkpoint) const;

 private:
  struct Slot {
    uint64_t checkpoint;
    bool done;
    bool failed;
  };
  void AdvanceLocked();

  const std::string name_;
  const CommitFn on_commit_;
  mutable std::mutex mu_;
  std::deque<Slot> window_;  // slots for seq in [base_, base_ + window_.size())
  uint64_t base_ = 0;
  bool has_committed_ = false;
  bool stuck_ = false;  // a failed batch blocks the prefix: no more slots are kept
  uint64_t committed_ = 0;
};

}  // namespace sluice

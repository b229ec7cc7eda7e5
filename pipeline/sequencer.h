// Sequencer: puts the items of one stream back in the order they were numbered after they were
// processed in parallel. The producer numbers each item with Next() (one producing thread per
// stream, or any threads that serialize their own calls); workers hand finished items to Done(),
// which passes them to `deliver` strictly in number order: the item numbered next right away
// (followed by any parked successors), a later one parked until its predecessors are done. The
// pipeline uses one per source, so that a file's batches are filtered by every worker at once and
// still reach the outputs in file order.
// Thread-safety: Next() is lock-free; Done() may be called from any thread; `deliver` runs under
// the sequencer's lock (deliveries of one stream never overlap), so it must not call back into
// this sequencer.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

namespace sluice {

template <typename Item>
class Sequencer {
 public:
  uint64_t Next() { return next_ticket_.fetch_add(1, std::memory_order_relaxed); }

  template <typename Deliver>
  void Done(uint64_t ticket, Item item, Deliver&& deliver) {
    std::lock_guard lock(mu_);
    if (ticket != next_done_) {
      parked_.emplace(ticket, std::move(item));
      return;
    }
    deliver(item);
    ++next_done_;
    for (auto it = parked_.begin(); it != parked_.end() && it->first == next_done_;
         it = parked_.erase(it)) {
      deliver(it->second);
      ++next_done_;
    }
  }

  // Items done but waiting for a predecessor.
  size_t parked() const {
    std::lock_guard lock(mu_);
    return parked_.size();
  }

 private:
  std::atomic<uint64_t> next_ticket_{0};
  mutable std::mutex mu_;
  uint64_t next_done_ = 0;
  std::map<uint64_t, Item> parked_;
};

}  // namespace sluice

#include "pipeline/arena.h"

#include <algorithm>

namespace sluice {

void* Arena::AllocateSlow(size_t bytes, size_t align) {
  size_t block = std::max(next_block_bytes_, bytes + align);
  if (blocks_.size() == 1) block = std::max(block, second_block_bytes_);
  next_block_bytes_ = std::min<size_t>(next_block_bytes_ * 2, 4 * 1024 * 1024);
  blocks_.emplace_back(new char[block]);
  allocated_before_ += used_;
  reserved_ += block;
  current_ = blocks_.back().get();
  capacity_ = block;
  used_ = 0;
  return Allocate(bytes, align);
}

void Arena::Reset() {
  if (blocks_.empty()) return;
  // Keep the last (largest) block.
  std::unique_ptr<char[]> keep = std::move(blocks_.back());
  blocks_.clear();
  blocks_.push_back(std::move(keep));
  reserved_ = capacity_;
  current_ = blocks_.back().get();
  used_ = 0;
  allocated_before_ = 0;
}

}  // namespace sluice

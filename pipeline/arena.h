// Arena: a bump allocator that owns the bytes of one EventBatch (messages, field names, string
// values). Memory is released all at once when the arena is destroyed or Reset().
// Thread-safety: none; an arena belongs to one batch, which one thread touches at a time.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sluice {

class Arena {
 public:
  // Blocks double from `first_block_bytes` (up to 4 MiB); `second_block_bytes`, when larger than
  // that doubling, is the second block's size (a batch expected to be large: one small block for a
  // batch that stays small, one block of about the expected rest for one that does not).
  explicit Arena(size_t first_block_bytes = 64 * 1024, size_t second_block_bytes = 0)
      : next_block_bytes_(first_block_bytes), second_block_bytes_(second_block_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `bytes` bytes aligned to `align`; never null (allocation failure aborts like new).
  void* Allocate(size_t bytes, size_t align = alignof(std::max_align_t)) {
    size_t offset = (used_ + align - 1) & ~(align - 1);
    if (offset + bytes > capacity_) return AllocateSlow(bytes, align);
    used_ = offset + bytes;
    return current_ + offset;
  }

  // Copies `s` into the arena and returns a view of the copy.
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(Allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Gives back the end of the last allocation, `p` of `bytes` bytes, keeping its first `keep`
  // (e.g. a parser's padding, needed only while parsing). No effect if `p` was not the last.
  void ShrinkLast(const void* p, size_t bytes, size_t keep) {
    if (static_cast<const char*>(p) + bytes == current_ + used_ && keep <= bytes) {
      used_ -= bytes - keep;
    }
  }

  template <typename T>
  T* AllocateArray(size_t n) {
    return static_cast<T*>(Allocate(n * sizeof(T), alignof(T)));
  }

  // Bytes handed out so far (what the batch costs, for backpressure accounting).
  size_t bytes_allocated() const { return allocated_before_ + used_; }
  // Bytes reserved from the heap.
  size_t bytes_reserved() const { return reserved_; }

  // Forgets every allocation but keeps the largest block for reuse.
  void Reset();

 private:
  void* AllocateSlow(size_t bytes, size_t align);

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* current_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  size_t allocated_before_ = 0;
  size_t reserved_ = 0;
  size_t next_block_bytes_;
  size_t second_block_bytes_;
};

}  // namespace sluice

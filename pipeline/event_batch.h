// EventBatch: the unit that flows through a pipeline. It owns one arena holding every byte of its
// events, so building a batch costs a handful of heap allocations, not one per event. Move-only;
// copying is the explicit Clone(). The input that made it stamps it with its source and the
// checkpoint to commit once every output has acked it (see source_tracker.h).
// Thread-safety: none; a batch is touched by one thread at a time (input, then worker, then outputs
// read it concurrently through a const reference).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "pipeline/arena.h"
#include "pipeline/event.h"

namespace sluice {

class SourceTracker;

class EventBatch {
 public:
  // `arena_bytes`: what the batch is expected to need (0: unknown; the arena's blocks double from
  // 64 KiB). An input passes what its last batch used: the arena then starts with a 16 KiB block
  // and, when the batch outgrows it, takes one block of `arena_bytes`, rather than doubling blocks
  // up to twice what it needs (the in-flight bound counts reserved bytes). A batch that stays small
  // after a large one costs 16 KiB, not the large size.
  explicit EventBatch(size_t expected_events = 256, size_t arena_bytes = 0);
  // The `arena_bytes` for a next batch like this one: what this one's arena holds, plus 1/8 (4 KiB
  // to 4 MiB).
  size_t NextArenaBytes() const;
  EventBatch(EventBatch&&) noexcept = default;
  EventBatch& operator=(EventBatch&&) noexcept = default;
  EventBatch(const EventBatch&) = delete;
  EventBatch& operator=(const EventBatch&) = delete;

  // Appends an event whose message is copied into the arena; returns it for adding fields.
  Event& Add(int64_t timestamp_ns, std::string_view message);
  // Appends an event whose message already lives in this batch's arena.
  Event& AddView(int64_t timestamp_ns, std::string_view message);
  // Appends a document event (Event::set_document_view) whose JSON object is copied into the arena.
  Event& AddDocument(int64_t timestamp_ns, std::string_view json) {
    return AddDocumentView(timestamp_ns, arena_->Copy(json));
  }
  // Appends a document event whose JSON object already lives in this batch's arena.
  Event& AddDocumentView(int64_t timestamp_ns, std::string_view json) {
    Event& e = AddView(timestamp_ns, {});
    e.set_document_view(json);
    return e;
  }

  std::vector<Event>& events() { return events_; }
  const std::vector<Event>& events() const { return events_; }
  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  Arena& arena() { return *arena_; }

  // Removes the events for which `drop(event)` is true, keeping the order of the rest.
  template <typename Pred>
  size_t RemoveIf(Pred drop) {
    size_t before = events_.size();
    std::erase_if(events_, drop);
    return before - events_.size();
  }

  // What the batch holds in memory (arena bytes + event records): the unit of backpressure.
  size_t MemoryBytes() const {
    return arena_->bytes_reserved() + events_.capacity() * sizeof(Event);
  }
  // Sum of the events' message bytes, a document event's document counting as its message (the
  // "bytes" of the component metrics).
  size_t MessageBytes() const;

  // A deep copy with its own arena (fields, tags and metadata included; no source).
  EventBatch Clone() const;
  // A batch of the events of `parent` at `indices` (ascending), for an output whose `when:` selects
  // some events. The events are shallow copies: their bytes stay in the parent's arena, which the
  // subset keeps alive. They must not be modified. No source.
  static EventBatch Subset(std::shared_ptr<const EventBatch> parent,
                           std::span<const uint32_t> indices);

  // The source this batch came from and the checkpoint its acks commit. Set by InputContext::Emit.
  const std::shared_ptr<SourceTracker>& source() const { return source_; }
  uint64_t checkpoint() const { return checkpoint_; }
  void set_source(std::shared_ptr<SourceTracker> source, uint64_t checkpoint) {
    source_ = std::move(source);
    checkpoint_ = checkpoint;
  }

 private:
  std::unique_ptr<Arena> arena_;
  std::vector<Event> events_;
  std::shared_ptr<SourceTracker> source_;
  uint64_t checkpoint_ = 0;
  std::shared_ptr<const EventBatch> parent_;  // Subset(): owns the events' bytes
};

}  // namespace sluice

#include "pipeline/event_batch.h"

#include <algorithm>

namespace sluice {

EventBatch::EventBatch(size_t expected_events, size_t arena_bytes)
    : arena_(arena_bytes > 0
                 ? std::make_unique<Arena>(std::min<size_t>(arena_bytes, 16 * 1024), arena_bytes)
                 : std::make_unique<Arena>()) {
  events_.reserve(expected_events);
}

size_t EventBatch::NextArenaBytes() const {
  const size_t used = arena_->bytes_allocated();
  return std::clamp<size_t>(used + used / 8, 4096, 4u << 20);
}

Event& EventBatch::Add(int64_t timestamp_ns, std::string_view message) {
  return events_.emplace_back(arena_.get(), timestamp_ns, arena_->Copy(message));
}

Event& EventBatch::AddView(int64_t timestamp_ns, std::string_view message) {
  return events_.emplace_back(arena_.get(), timestamp_ns, message);
}

size_t EventBatch::MessageBytes() const {
  size_t n = 0;
  for (const Event& e : events_) n += e.payload().size();
  return n;
}

EventBatch EventBatch::Clone() const {
  EventBatch copy(events_.size());
  for (const Event& e : events_) {
    Event& c = e.is_document() ? copy.AddDocument(e.timestamp_ns(), e.document())
                               : copy.Add(e.timestamp_ns(), e.message());
    for (const Field& f : e.fields()) c.Set(f.name, f.value);
    for (std::string_view t : e.tags()) c.AddTag(t);
    c.metadata() = e.metadata();
    c.metadata().document_id = copy.arena().Copy(e.metadata().document_id);
  }
  return copy;
}

EventBatch EventBatch::Subset(std::shared_ptr<const EventBatch> parent,
                              std::span<const uint32_t> indices) {
  EventBatch subset(indices.size());
  for (uint32_t i : indices) subset.events_.push_back(parent->events_[i]);
  subset.parent_ = std::move(parent);
  return subset;
}

}  // namespace sluice

// An event's stable id: the same bytes of the same source (a file's identity, a Kafka partition)
// get the same id on every host, after any restart or replay, so a re-sent event overwrites or
// conflicts with its first copy instead of duplicating it. The file input sets it as `event.id`;
// the elasticsearch output falls back to it for `_id` when an event has no `event.id`.
// Defined in terms of bytes, not of the host's integer layout: FNV-1a 64 (plugins/common/hash.h)
// over the offset's 8 little-endian bytes, continuing from the source id.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "pipeline/event.h"
#include "plugins/common/hash.h"

namespace sluice::common {

inline uint64_t StableEventId(uint64_t source_id, uint64_t offset) {
  return Fnv1aU64(offset, source_id);
}

// The id an event carries: its `event.id` string field, or a document event's (EventMetadata's
// document_id); nullopt when it has none (empty counts as none).
inline std::optional<std::string_view> OwnEventId(const Event& event) {
  if (auto id = event.GetText("event.id"); id && !id->empty()) return id;
  if (!event.metadata().document_id.empty()) return event.metadata().document_id;
  return std::nullopt;
}

// A 64-bit id as 16 lowercase hex digits, most significant first, into `out` (no terminator).
inline void FormatHex64(uint64_t id, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) out[i] = kDigits[(id >> (60 - 4 * i)) & 0xF];
}

// An event read from a file or object: `log.file.path` (`path`, a view the batch keeps alive),
// `log.offset` (where its bytes begin), its stable `event.id` from `source_id` and that offset,
// the same in its metadata, and the tags of a cut line (`_line_truncated`) or a cut multiline
// event (`_multiline_truncated`). The event must not have these fields yet.
inline void AddSourcedFields(Event& event, Arena& arena, std::string_view path, uint64_t offset,
                             uint64_t source_id, bool line_truncated, bool multiline_truncated) {
  event.AddView("log.file.path", Value::String(path));
  event.AddView("log.offset", Value::Int(static_cast<int64_t>(offset)));
  char* hex = static_cast<char*>(arena.Allocate(16, 1));
  FormatHex64(StableEventId(source_id, offset), hex);
  event.AddView("event.id", Value::String(std::string_view(hex, 16)));
  event.metadata().source_id = source_id;
  event.metadata().offset = offset;
  if (line_truncated) event.AddTag("_line_truncated");
  if (multiline_truncated) event.AddTag("_multiline_truncated");
}

}  // namespace sluice::common

// Event: one log record. A timestamp (ns since the Unix epoch, UTC), the raw `message` bytes, a
// flat list of typed fields whose names may be dotted (`log.file.path`, written by encoders as
// nested objects), tags, and metadata that is never serialized (where the event came from, for
// stable ids). Every byte an event points to lives in its batch's arena: building an event
// allocates nothing on the heap. Thread-safety: none; an event belongs to its batch.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "pipeline/arena.h"
#include "pipeline/value.h"

namespace sluice {

struct Field {
  std::string_view name;
  Value value;
};

// The prefix of the only fields an input adds beside a document (Event::set_document_view): the
// kafka input's coordinates of the message (`kafka.topic`, `kafka.offset`, ...).
inline constexpr std::string_view kDocumentSideFieldPrefix = "kafka.";

// Never serialized: the source identity and position, used for stable ids and debugging.
struct EventMetadata {
  uint64_t source_id = 0;  // hash of the source identity (file fingerprint, topic+partition, ...)
  uint64_t offset = 0;     // position of the event in its source
  // A document event's own id (its `event.id`), taken from the document for outputs that need an
  // id without reading fields (common::OwnEventId); empty otherwise. In the batch's arena.
  std::string_view document_id;
};

class Event {
 public:
  Event(Arena* arena, int64_t timestamp_ns, std::string_view message)
      : arena_(arena), timestamp_ns_(timestamp_ns), message_(message) {}

  int64_t timestamp_ns() const { return timestamp_ns_; }
  void set_timestamp_ns(int64_t ns) { timestamp_ns_ = ns; }

  // Empty for a document event.
  std::string_view message() const { return document_ ? std::string_view() : message_; }
  // Copies `message` into the arena.
  // (Either makes a document event an ordinary one.)
  void set_message(std::string_view message) {
    message_ = arena_->Copy(message);
    document_ = false;
  }
  // Takes `message` as a view the caller keeps alive as long as the batch (arena bytes, such as a
  // part of the current message).
  void set_message_view(std::string_view message) {
    message_ = message;
    document_ = false;
  }

  // A document event is carried through as the JSON object it came as: an input that decodes JSON
  // may pass the object on unchanged when nothing downstream reads the events' fields, message or
  // tags (InputContext::fields_unread()). Encoders (JsonEncoder) write the object's members as
  // they are, followed by the event's fields, which the input keeps apart from the document's
  // top-level keys (its own `kafka.*`). The event has no message, and its tags are the
  // document's own (in it). `json` is a view the caller keeps alive as long as the batch (arena
  // bytes): an object with at least one member, from '{' to '}' with nothing around them.
  void set_document_view(std::string_view json) {
    message_ = json;
    document_ = true;
  }
  bool is_document() const { return document_; }
  // The document (empty when the event is not one).
  std::string_view document() const { return document_ ? message_ : std::string_view(); }
  // The message, or the document of a document event: the bytes the event came as.
  std::string_view payload() const { return message_; }

  std::span<const Field> fields() const { return {fields_, size_}; }
  // The value of field `name`, or null when the event has no such field.
  const Value* Get(std::string_view name) const;
  // The text of `name` for filters that parse a field: the message for "message" (the message is
  // not among the fields), the bytes of a string field; nullopt when absent or not a string.
  std::optional<std::string_view> GetText(std::string_view name) const;
  // Sets (adds or replaces) field `name`. Copies the name and a string (or JSON) value into the
  // arena.
  void Set(std::string_view name, Value value);
  // Like Set, but takes `name` and a string value as views the caller keeps alive at least as long
  // as the batch (string literals, the event's own message, other arena bytes).
  void SetView(std::string_view name, Value value);
  // Like SetView for a field the event does not have yet (an input filling a new event): appends
  // without looking for `name` first.
  void AddView(std::string_view name, Value value);
  // Removes field `name`; returns whether it was there.
  bool Remove(std::string_view name);

  std::span<const std::string_view> tags() const { return {tags_, tag_count_}; }
  // At most this many tags per event: a tag beyond it is not added (an event from untrusted bytes,
  // a Kafka message with 30,000 `tags`, must not cost quadratic time or overflow the counts).
  static constexpr uint16_t kMaxTags = 1024;
  void AddTag(std::string_view tag);     // no-op when present or at kMaxTags; copies the tag
  bool RemoveTag(std::string_view tag);  // returns whether it was there
  bool HasTag(std::string_view tag) const;

  EventMetadata& metadata() { return metadata_; }
  const EventMetadata& metadata() const { return metadata_; }
  Arena& arena() const { return *arena_; }

  // Rough byte cost of the event, for metrics and backpressure.
  size_t ByteSize() const;

 private:
  Field* FindMutable(std::string_view name);
  void Append(std::string_view name, Value value);

  Arena* arena_;
  int64_t timestamp_ns_;
  std::string_view message_;
  Field* fields_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  std::string_view* tags_ = nullptr;
  uint16_t tag_count_ = 0;
  uint16_t tag_capacity_ = 0;
  bool document_ = false;  // message_ holds the document
  EventMetadata metadata_;
};

}  // namespace sluice

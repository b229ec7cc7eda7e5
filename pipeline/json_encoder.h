// JsonEncoder: writes events as one-line JSON objects (NDJSON). The object holds `@timestamp`
// (RFC 3339, UTC, the fraction trimmed to the non-zero groups of 3 digits: none, ms, µs or ns),
// `message`, every field, and `tags` when there are any, in that order. The event's own time,
// message and tags win: fields named `@timestamp` or `message` are not written, nor a field named
// `tags` when the event has tags. Dotted field names are written as nested objects
// (`log.file.path` → {"log":{"file":{"path":...}}}); fields are written sorted by name (bytewise),
// so fields sharing a prefix land in one object. When a name is both a value and a prefix (`a` and
// `a.b`), the longer one is written with its dotted name as a flat key inside the deepest object
// that does not clash (`"a":1,"a.b":2`). The top-level `@timestamp`, `message` and `tags` clash the
// same way (`message.x` → "message.x":...), and an empty segment stops the nesting (`a..b` →
// {"a":{".b":...}}). Keys are therefore never repeated.
// Strings are escaped per RFC 8259 (see json_string.h); bytes that are not valid UTF-8 become
// U+FFFD. Floats are written with the shortest representation that round-trips, with ".0" added
// when that would read back as an integer (1.0 → `1.0`, 1e21 → `1e+21`); NaN and infinities,
// which JSON cannot hold, are written as null. Metadata is never written.
// A document event (Event::is_document) is written as its document's members, as they are (no
// `@timestamp` or `message` of the encoder's), followed by the event's fields and tags as above.
// Encoding allocates nothing once `out` and the encoder's scratch space have grown. The layout
// (keys, nesting, order) depends on the field names alone: the encoder keeps the layout of the last
// event and reuses it while the next events have the same names in the same order (events of one
// input mostly do), so sorting and nesting are done once per layout. Thread-safety: an encoder
// holds scratch space; use one per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pipeline/civil_time.h"
#include "pipeline/event.h"

namespace sluice {

class JsonEncoder {
 public:
  // Appends the event as a JSON object, without a trailing newline.
  void Encode(const Event& event, std::string& out);
  // Appends the event as a JSON object followed by '\n'.
  void EncodeLine(const Event& event, std::string& out) {
    Encode(event, out);
    out += '\n';
  }

 private:
  // A value's place in the plan: after plan_text_[0, text_end), the value of field `field`.
  struct Slot {
    uint32_t text_end;
    uint32_t field;  // index into Event::fields()
  };
  void AppendTimestamp(std::string& out, int64_t ns);
  // Whether the plan was built for events with `event`'s field names, in its order.
  bool PlanFits(const Event& event, bool has_tags) const;
  void BuildPlan(const Event& event, bool has_tags);

  // The plan: the text after "message" up to the tags, with slots for the values.
  bool plan_valid_ = false;
  bool plan_has_tags_ = false;
  std::string plan_names_;                // the field names it was built for, concatenated
  std::vector<uint32_t> plan_name_ends_;  // where each name ends in plan_names_
  std::string plan_text_;
  std::vector<Slot> plan_slots_;
  std::vector<const Field*> sorted_;  // scratch: the written fields sorted by name
  // "YYYY-MM-DDTHH:MM:SS" of cached_second_: consecutive events mostly share their second.
  int64_t cached_second_ = 0;
  bool cache_valid_ = false;
  char cached_prefix_[19] = {};
};

// Appends `ns` (nanoseconds since the epoch, negative before 1970) as RFC 3339 UTC with the
// fraction trimmed as above, e.g. 2017-06-09T20:10:40.123Z or 1969-12-31T23:59:59Z.
void AppendRfc3339(std::string& out, int64_t ns);
// Writes "YYYY-MM-DDTHH:MM:SS" (exactly 19 bytes, no terminator) for `t` into `out19`.
void WriteDateTime(char* out19, const CivilTime& t);
// Appends the fraction of a second trimmed to non-zero groups of 3 (".123", ".123456",
// ".123456789", or nothing when zero), then 'Z'.
void AppendFractionZ(std::string& out, int nanos);

}  // namespace sluice

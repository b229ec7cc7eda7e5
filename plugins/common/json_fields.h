// JsonFields: parses a JSON document (simdjson's DOM parser, which validates the whole text before
// anything is stored) and stores it into an event's fields. Nested objects become dotted names
// (`context.task_id`) when flattening, up to `max_depth`; arrays, and objects not flattened, are
// kept as raw JSON values, which encoders write verbatim. One key may become the event's message
// (`message_field`). With `event_keys`, a document written by Sluice's JSON encoder reads back as
// the event it was: the top-level `@timestamp` (RFC 3339) becomes the event time and `tags` (an
// array of strings) its tags. Used by the json filter and by inputs that decode JSON (kafka).
// Thread-safety: an instance holds a parser and scratch buffers; one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/event.h"
#include "plugins/common/time_parse.h"

namespace simdjson::dom {
class parser;
class element;
class object;
}  // namespace simdjson::dom

namespace sluice::common {

class JsonFields {
 public:
  struct Options {
    std::string target;  // prefix of the stored names ("" : top level)
    bool flatten = true;
    int64_t max_depth = 0;  // 0: no limit
    std::string message_field = "message";
    bool event_keys = false;
  };
  enum class Parsed { kInvalid, kObject, kOther };

  explicit JsonFields(Options options);
  ~JsonFields();

  // Parses `text`; the document stays valid until the next Parse() (`text` may go away).
  Parsed Parse(std::string_view text);
  // Parse() of a copy of `text` made in `arena`, where it stays (`*copy`): for a caller that keeps
  // the bytes anyway (a document event), one copy instead of two.
  Parsed ParseCopy(std::string_view text, Arena& arena, std::string_view* copy);
  // Stores the document of the last Parse() (kObject: its members; kOther: the value itself at
  // `target`) into `event`, copying what it stores into the event's arena.
  void Store(Event& event);

  // What a document event needs from the object of the last Parse() (event_keys only).
  struct DocumentKeys {
    int64_t timestamp_ns = 0;  // its `@timestamp`
    std::string_view id;       // its `event.id` string (flat or nested), "" when none; a view
                               // into the parsed document, valid until the next Parse()
  };
  // Whether the object of the last Parse() can be carried through as it is, in place of the event
  // Store() would make (Event::set_document_view): it has a top-level `@timestamp` that parses,
  // no top-level key that is `reserved_prefix` (e.g. "kafka.") or its first segment ("kafka"),
  // and no key repeated within one object (Store() would keep the last one; JSON readers
  // disagree). Fills `keys` when true.
  bool CheckDocument(std::string_view reserved_prefix, DocumentKeys* keys);

 private:
  // simdjson reads up to this many bytes past the end of what it parses.
  static constexpr size_t kPadding = 64;
  // Parses `text`, which is followed by kPadding readable bytes.
  Parsed ParsePadded(std::string_view text);
  void StoreMembers(Event& event, simdjson::dom::object object, int64_t depth);
  void StoreValue(Event& event, simdjson::dom::element value, int64_t depth);
  void TakeMessage(Event& event, simdjson::dom::element value);
  // The top-level `@timestamp` and `tags` with event_keys; true when `key` was one of them.
  bool TakeEventKey(Event& event, std::string_view key, simdjson::dom::element value);
  void AppendJson(simdjson::dom::element value);
  bool HasRepeatedKey(simdjson::dom::element value);

  const Options options_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::unique_ptr<char[]> padded_;  // the input copied, followed by simdjson's padding
  size_t padded_capacity_ = 0;
  std::unique_ptr<simdjson::dom::element> root_;
  Parsed parsed_ = Parsed::kInvalid;
  std::string name_;        // the dotted name being stored: target, then the keys walked
  size_t root_length_ = 0;  // the length of name_'s target part (with its dot)
  std::string json_;        // raw JSON text of the value being stored
  std::unique_ptr<TimeParser> time_parser_;  // event_keys: RFC 3339 `@timestamp`
  std::vector<std::string_view> keys_;       // HasRepeatedKey's scratch
};

}  // namespace sluice::common

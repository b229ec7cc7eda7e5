// Writing text where a filter's option names it: a field, or the event's message for the name
// `message` (the message is not among the fields). The counterpart of Event::GetText for the
// filters that set what they parsed (dissect, kv, mutate, timestamp).
// Thread-safety: plain functions on one event.
#pragma once

#include <string_view>

#include "pipeline/event.h"
#include "pipeline/value.h"

namespace sluice::common {

// The name that stands for the event's message in filter options (`field: message`).
inline constexpr std::string_view kMessage = "message";

// Sets `name` to `text`, a view the caller keeps alive as long as the batch (arena bytes, such as a
// part of the message, or bytes the filter owns and outlive the batch): nothing is copied.
inline void SetTextView(Event& event, std::string_view name, std::string_view text) {
  if (name == kMessage) {
    event.set_message_view(text);
  } else {
    event.SetView(name, Value::String(text));
  }
}

// Sets `name` to a copy of `text` (in the batch's arena).
inline void SetTextCopy(Event& event, std::string_view name, std::string_view text) {
  if (name == kMessage) {
    event.set_message(text);
  } else {
    event.Set(name, Value::String(text));
  }
}

}  // namespace sluice::common

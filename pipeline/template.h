// Template: a string with `{{field.name}}` references and strftime conversions (`%Y-%m-%d`) taken
// from the event's time, e.g. 'logs-spark-%Y.%m.%d' or '{{host.name}}/%H'. Compiled once at config
// load; rendering appends to a caller-owned buffer and allocates nothing once the buffer has grown.
// Spaces around a field name are ignored (`{{ host.name }}`). A field renders as: a string as is,
// an int in decimal, a float in its shortest round-trip form, a bool as true/false, null as "".
// `{{message}}` is the message and `{{@timestamp}}` the RFC 3339 time (the event's own, even when
// a field has that name). A missing field renders as the empty string and Render() reports it; a
// null field is present, not missing.
// `%%` is a literal %; a lone `{` or `}` is literal, and so is `}}` outside a reference.
// Supported conversions, in UTC unless Render() is given an offset: %Y %y %m %d %H %M %S %j (day of
// the year, 001-366) %e (day, space-padded) %b %a (English abbreviations) %F (%Y-%m-%d) %T
// (%H:%M:%S) %s (seconds since the epoch) %z (+0000 in UTC) %Z (UTC) and %%. Anything else, a `%`
// at the end, a `{{` without its `}}` and an empty name are compile errors naming the 1-based
// character (not byte) position. Thread-safety: a compiled Template is immutable; Render may run on
// several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/event.h"
#include "pipeline/status.h"

namespace sluice {

class Template {
 public:
  Template() = default;
  // Compiles `text`; an error names the 1-based character position and what is wrong there.
  static Result<Template> Compile(std::string_view text);

  // Appends the rendering for `event` to `out`; returns false when a referenced field was missing
  // (it rendered as ""). Time conversions use the event time `utc_offset_s` seconds east of UTC
  // (a time zone's offset at that instant): %z is then ±HHMM and %Z the same (UTC at offset 0).
  bool Render(const Event& event, std::string& out, int64_t utc_offset_s = 0) const;
  std::string RenderToString(const Event& event) const {
    std::string out;
    Render(event, out);
    return out;
  }

  const std::string& source() const { return source_; }
  // True when the template has no field references and no time conversions.
  bool is_constant() const {
    return parts_.size() <= 1 && (parts_.empty() || parts_[0].kind == Part::kLiteral);
  }
  // True when the rendering depends on the event time.
  bool uses_time() const;
  // True when the template references a field or the message (`{{@timestamp}}` is the time),
  // fields named with `except_prefix` (when not empty) aside.
  bool reads_fields(std::string_view except_prefix = {}) const {
    for (const Part& part : parts_) {
      if (part.kind != Part::kField || part.text == "@timestamp") continue;
      if (except_prefix.empty() || !part.text.starts_with(except_prefix)) return true;
    }
    return false;
  }
  // The template's literal text, concatenated (what no event changes), and whether a rendering
  // starts with it.
  std::string literal_text() const;
  bool starts_with_literal() const { return !parts_.empty() && parts_[0].kind == Part::kLiteral; }

 private:
  struct Part {
    enum Kind : uint8_t { kLiteral, kField, kTime } kind;
    std::string text;  // literal text, the field name, or the conversion letter
  };
  std::string source_;
  std::vector<Part> parts_;
};

}  // namespace sluice

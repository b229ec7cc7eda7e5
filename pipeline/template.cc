#include "pipeline/template.h"

#include <charconv>

#include "pipeline/civil_time.h"
#include "pipeline/json_encoder.h"

namespace sluice {
namespace {

constexpr std::string_view kSupported = "YymdHMSjebaFTszZ";
constexpr std::string_view kSupportedList = "%Y %y %m %d %H %M %S %j %e %b %a %F %T %s %z %Z %%";
constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::string_view kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

// The 1-based character (UTF-8 code point) position of byte offset `offset` in `text`.
std::string Position(std::string_view text, size_t offset) {
  size_t chars = 1;
  for (size_t i = 0; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
  }
  return std::to_string(chars);
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Appends `value` as at least `width` decimal digits, padded with `pad`; `value` must be >= 0.
void AppendPadded(std::string& out, int64_t value, int width, char pad = '0') {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  for (int n = static_cast<int>(end - buf); n < width; ++n) out += pad;
  out.append(buf, end);
}

template <typename T>
void AppendNumber(std::string& out, T value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

void AppendValue(std::string& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      return;
    case Value::Kind::kBool:
      out += value.as_bool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      AppendNumber(out, value.as_int());
      return;
    case Value::Kind::kFloat:
      AppendNumber(out, value.as_float());
      return;
    case Value::Kind::kString:
    case Value::Kind::kJson:
      out += value.as_string();
      return;
  }
}

int64_t FloorSeconds(int64_t ns) {
  int64_t s = ns / 1'000'000'000;
  return ns % 1'000'000'000 < 0 ? s - 1 : s;
}

// `t` is the local civil time of `ns` (the epoch instant), `offset_s` seconds east of UTC.
void AppendConversion(std::string& out, char conversion, const CivilTime& t, int64_t ns,
                      int64_t offset_s) {
  switch (conversion) {
    case 'Y':
      AppendPadded(out, t.year, 4);
      return;
    case 'y':
      AppendPadded(out, (t.year % 100 + 100) % 100, 2);
      return;
    case 'm':
      AppendPadded(out, t.month, 2);
      return;
    case 'd':
      AppendPadded(out, t.day, 2);
      return;
    case 'e':
      AppendPadded(out, t.day, 2, ' ');
      return;
    case 'H':
      AppendPadded(out, t.hour, 2);
      return;
    case 'M':
      AppendPadded(out, t.minute, 2);
      return;
    case 'S':
      AppendPadded(out, t.second, 2);
      return;
    case 'j':
      AppendPadded(out, t.yday, 3);
      return;
    case 'b':
      out += kMonths[t.month - 1];
      return;
    case 'a':
      out += kWeekdays[t.wday];
      return;
    case 'F':
      AppendConversion(out, 'Y', t, ns, offset_s);
      out += '-';
      AppendConversion(out, 'm', t, ns, offset_s);
      out += '-';
      AppendConversion(out, 'd', t, ns, offset_s);
      return;
    case 'T':
      AppendConversion(out, 'H', t, ns, offset_s);
      out += ':';
      AppendConversion(out, 'M', t, ns, offset_s);
      out += ':';
      AppendConversion(out, 'S', t, ns, offset_s);
      return;
    case 's':
      AppendNumber(out, FloorSeconds(ns));
      return;
    case 'z': {
      int64_t m = (offset_s < 0 ? -offset_s : offset_s) / 60;
      out += offset_s < 0 ? '-' : '+';
      AppendPadded(out, static_cast<int>(m / 60), 2);
      AppendPadded(out, static_cast<int>(m % 60), 2);
      return;
    }
    case 'Z':
      if (offset_s == 0) {
        out += "UTC";
      } else {
        AppendConversion(out, 'z', t, ns, offset_s);
      }
      return;
  }
}

}  // namespace

Result<Template> Template::Compile(std::string_view text) {
  Template t;
  t.source_ = std::string(text);
  auto add_literal = [&t](std::string_view s) {
    if (s.empty()) return;
    if (!t.parts_.empty() && t.parts_.back().kind == Part::kLiteral) {
      t.parts_.back().text += s;
    } else {
      t.parts_.push_back(Part{Part::kLiteral, std::string(s)});
    }
  };

  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "{{") == 0) {
      const size_t close = text.find("}}", i + 2);
      if (close == std::string_view::npos || text.find("{{", i + 2) < close) {
        return InvalidArgument("unclosed '{{' at position " + Position(text, i));
      }
      const std::string_view name = TrimSpaces(text.substr(i + 2, close - i - 2));
      if (name.empty()) {
        return InvalidArgument("empty field name in '" +
                               std::string(text.substr(i, close + 2 - i)) + "' at position " +
                               Position(text, i));
      }
      t.parts_.push_back(Part{Part::kField, std::string(name)});
      i = close + 2;
    } else if (text[i] == '%') {
      if (i + 1 == text.size()) {
        return InvalidArgument("incomplete conversion '%' at position " + Position(text, i) +
                               " (write %% for a literal %)");
      }
      const char c = text[i + 1];
      if (c == '%') {
        add_literal("%");
      } else if (kSupported.find(c) != std::string_view::npos) {
        t.parts_.push_back(Part{Part::kTime, std::string(1, c)});
      } else {
        // Quote the whole character when it is a multi-byte UTF-8 sequence.
        size_t end = i + 2;
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
        return InvalidArgument("unsupported conversion '" + std::string(text.substr(i, end - i)) +
                               "' at position " + Position(text, i) +
                               " (supported: " + std::string(kSupportedList) + ")");
      }
      i += 2;
    } else {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '%' && text.compare(end, 2, "{{") != 0) ++end;
      add_literal(text.substr(i, end - i));
      i = end;
    }
  }
  return t;
}

bool Template::Render(const Event& event, std::string& out, int64_t utc_offset_s) const {
  bool complete = true;
  bool have_civil = false;
  CivilTime civil;
  for (const Part& part : parts_) {
    switch (part.kind) {
      case Part::kLiteral:
        out += part.text;
        break;
      case Part::kField:
        if (part.text == "message") {
          out += event.message();
        } else if (part.text == "@timestamp") {
          AppendRfc3339(out, event.timestamp_ns());
        } else if (const Value* value = event.Get(part.text)) {
          AppendValue(out, *value);
        } else {
          complete = false;
        }
        break;
      case Part::kTime:
        if (!have_civil) {
          civil = ToCivil(event.timestamp_ns() + utc_offset_s * 1'000'000'000);
          have_civil = true;
        }
        AppendConversion(out, part.text[0], civil, event.timestamp_ns(), utc_offset_s);
        break;
    }
  }
  return complete;
}

std::string Template::literal_text() const {
  std::string out;
  for (const Part& part : parts_) {
    if (part.kind == Part::kLiteral) out += part.text;
  }
  return out;
}

bool Template::uses_time() const {
  for (const Part& part : parts_) {
    if (part.kind == Part::kTime) return true;
    if (part.kind == Part::kField && part.text == "@timestamp") return true;
  }
  return false;
}

}  // namespace sluice

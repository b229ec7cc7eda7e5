#include "pipeline/json_encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "pipeline/civil_time.h"
#include "pipeline/json_string.h"

namespace sluice {
namespace {

constexpr std::string_view kTimestampKey = "@timestamp";
constexpr std::string_view kMessageKey = "message";
constexpr std::string_view kTagsKey = "tags";

// Writes `value` as `width` decimal digits at `p`, zero-padded; `value` must be in [0, 10^width).
// Returns the end.
char* WritePadded(char* p, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

void AppendInt(std::string& out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

// Shortest round-trip form; a number that would read back as an integer gets ".0" so the JSON keeps
// saying it is a float. NaN and infinities become null.
void AppendFloat(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
  if (std::find_if(buf, end, [](char c) { return c == '.' || c == 'e'; }) == end) out += ".0";
}

void AppendValue(std::string& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kBool:
      out += value.as_bool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      AppendInt(out, value.as_int());
      return;
    case Value::Kind::kFloat:
      AppendFloat(out, value.as_float());
      return;
    case Value::Kind::kString:
      AppendJsonString(out, value.as_string());
      return;
    case Value::Kind::kJson:
      out += value.as_string();
      return;
  }
}

bool ByName(const Field* a, const Field* b) { return a->name < b->name; }

}  // namespace

void WriteDateTime(char* buf, const CivilTime& t) {
  // Years of an int64_t nanosecond time are 1677..2262: always four digits.
  char* p = WritePadded(buf, t.year, 4);
  *p++ = '-';
  p = WritePadded(p, t.month, 2);
  *p++ = '-';
  p = WritePadded(p, t.day, 2);
  *p++ = 'T';
  p = WritePadded(p, t.hour, 2);
  *p++ = ':';
  p = WritePadded(p, t.minute, 2);
  *p++ = ':';
  WritePadded(p, t.second, 2);
}

// ".123Z", ".123456Z", ".123456789Z" or "Z": the fraction trimmed to the non-zero groups of 3.
void AppendFractionZ(std::string& out, int nanos) {
  char buf[12];
  char* p = buf;
  if (nanos != 0) {
    *p++ = '.';
    if (nanos % 1'000'000 == 0) {
      p = WritePadded(p, nanos / 1'000'000, 3);
    } else if (nanos % 1'000 == 0) {
      p = WritePadded(p, nanos / 1'000, 6);
    } else {
      p = WritePadded(p, nanos, 9);
    }
  }
  *p++ = 'Z';
  out.append(buf, p);
}

void AppendRfc3339(std::string& out, int64_t ns) {
  const CivilTime t = ToCivil(ns);
  char prefix[19];
  WriteDateTime(prefix, t);
  out.append(prefix, sizeof(prefix));
  AppendFractionZ(out, t.nanos);
}

void JsonEncoder::AppendTimestamp(std::string& out, int64_t ns) {
  // Events come in time order, many per second: the date and time of day are formatted once per
  // second, only the fraction per event.
  int64_t second = ns / 1'000'000'000;
  int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --second;
  }
  if (second != cached_second_ || !cache_valid_) {
    WriteDateTime(cached_prefix_, ToCivil(second * 1'000'000'000));
    cached_second_ = second;
    cache_valid_ = true;
  }
  out.append(cached_prefix_, sizeof(cached_prefix_));
  AppendFractionZ(out, static_cast<int>(nanos));
}

// Fields are visited in name order while `open` names the chain of objects currently open (a
// prefix of an earlier field's name, e.g. "log.file"). Names with a common prefix are adjacent in
// that order, so every object is opened once and closed when the first name outside it comes.
// Whether prefix P becomes an object depends on P alone (its last segment is not empty and no
// value is written under the name P), so all names under P agree on it.
// The result is a plan: the JSON text around the values (keys, braces, commas) with a slot for
// each value. It depends on the field names alone, so it is kept for the events that follow.
void JsonEncoder::BuildPlan(const Event& event, bool has_tags) {
  const std::span<const Field> fields = event.fields();
  plan_has_tags_ = has_tags;
  plan_names_.clear();
  plan_name_ends_.clear();
  for (const Field& field : fields) {
    plan_names_.append(field.name);
    plan_name_ends_.push_back(static_cast<uint32_t>(plan_names_.size()));
  }
  plan_text_.clear();
  plan_slots_.clear();
  plan_valid_ = true;

  sorted_.clear();
  for (const Field& field : fields) {
    if (field.name == kTimestampKey || field.name == kMessageKey) continue;
    if (has_tags && field.name == kTagsKey) continue;
    sorted_.push_back(&field);
  }
  std::sort(sorted_.begin(), sorted_.end(), ByName);

  // True when a value (not an object) is written under `prefix`, a prefix of sorted_[index]'s name.
  auto is_value = [&](std::string_view prefix, size_t index) {
    if (prefix == kTimestampKey || prefix == kMessageKey) return true;
    if (has_tags && prefix == kTagsKey) return true;
    // A field named `prefix` sorts before sorted_[index] with only names starting with `prefix` in
    // between, so when the previous name does not start with it there is none.
    if (index == 0 || !sorted_[index - 1]->name.starts_with(prefix)) return false;
    auto it = std::lower_bound(sorted_.begin(), sorted_.begin() + index, prefix,
                               [](const Field* f, std::string_view n) { return f->name < n; });
    return (*it)->name == prefix;
  };

  std::string& out = plan_text_;
  std::string_view open;  // the open objects' dotted path, "" at the top level
  int depth = 0;          // how many objects are open
  for (size_t index = 0; index < sorted_.size(); ++index) {
    const std::string_view name = sorted_[index]->name;

    // Keep the open objects that prefix `name`, close the others.
    int kept = 0;
    size_t pos = 0;  // where the rest of `name` starts, after the kept objects and their dots
    while (kept < depth) {
      size_t end = open.find('.', pos);
      if (end == std::string_view::npos) end = open.size();
      // The segments before `pos` already matched.
      if (name.size() <= end || name[end] != '.' ||
          name.compare(pos, end - pos, open, pos, end - pos) != 0) {
        break;
      }
      ++kept;
      pos = end + 1;
    }
    for (int i = kept; i < depth; ++i) out += '}';
    depth = kept;
    open = name.substr(0, pos == 0 ? 0 : pos - 1);
    out += ',';

    // Open new objects while the next segment is a non-empty, non-final prefix that holds no value.
    while (true) {
      const size_t dot = name.find('.', pos);
      if (dot == std::string_view::npos || dot == pos || is_value(name.substr(0, dot), index)) {
        break;
      }
      AppendJsonString(out, name.substr(pos, dot - pos));
      out += ":{";
      ++depth;
      pos = dot + 1;
      open = name.substr(0, dot);
    }

    // The rest of the name is the key: one segment, or a dotted one after a clash.
    AppendJsonString(out, name.substr(pos));
    out += ':';
    plan_slots_.push_back(Slot{static_cast<uint32_t>(out.size()),
                               static_cast<uint32_t>(sorted_[index] - fields.data())});
  }
  for (int i = 0; i < depth; ++i) out += '}';
}

bool JsonEncoder::PlanFits(const Event& event, bool has_tags) const {
  const std::span<const Field> fields = event.fields();
  if (!plan_valid_ || has_tags != plan_has_tags_ || fields.size() != plan_name_ends_.size()) {
    return false;
  }
  const std::string_view names = plan_names_;
  uint32_t begin = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    const uint32_t end = plan_name_ends_[i];
    if (fields[i].name != names.substr(begin, end - begin)) return false;
    begin = end;
  }
  return true;
}

void JsonEncoder::Encode(const Event& event, std::string& out) {
  const bool has_tags = !event.tags().empty();
  if (!PlanFits(event, has_tags)) BuildPlan(event, has_tags);

  if (event.is_document()) {
    // The object's members as they came; the plan's text starts with the ',' before a field.
    const std::string_view document = event.document();
    out.append(document.data(), document.size() - 1);
  } else {
    out += "{\"@timestamp\":\"";
    AppendTimestamp(out, event.timestamp_ns());
    out += "\",\"message\":";
    AppendJsonString(out, event.message());
  }

  const std::span<const Field> fields = event.fields();
  const char* text = plan_text_.data();
  uint32_t done = 0;  // plan text written so far
  for (const Slot& slot : plan_slots_) {
    out.append(text + done, slot.text_end - done);
    AppendValue(out, fields[slot.field].value);
    done = slot.text_end;
  }
  out.append(text + done, plan_text_.size() - done);

  if (has_tags) {
    out += ",\"tags\":[";
    bool first = true;
    for (std::string_view tag : event.tags()) {
      if (!first) out += ',';
      first = false;
      AppendJsonString(out, tag);
    }
    out += ']';
  }
  out += '}';
}

}  // namespace sluice

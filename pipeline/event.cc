#include "pipeline/event.h"

#include <algorithm>
#include <cassert>

namespace sluice {

const Value* Event::Get(std::string_view name) const {
  for (uint32_t i = 0; i < size_; ++i) {
    if (fields_[i].name == name) return &fields_[i].value;
  }
  return nullptr;
}

std::optional<std::string_view> Event::GetText(std::string_view name) const {
  if (name == "message") return message();
  const Value* v = Get(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->as_string();
}

Field* Event::FindMutable(std::string_view name) {
  for (uint32_t i = 0; i < size_; ++i) {
    if (fields_[i].name == name) return &fields_[i];
  }
  return nullptr;
}

void Event::Set(std::string_view name, Value value) {
  if (value.is_string()) value = Value::String(arena_->Copy(value.as_string()));
  if (value.kind() == Value::Kind::kJson) value = Value::Json(arena_->Copy(value.as_string()));
  if (Field* f = FindMutable(name)) {
    f->value = value;
    return;
  }
  Append(arena_->Copy(name), value);
}

void Event::SetView(std::string_view name, Value value) {
  if (Field* f = FindMutable(name)) {
    f->value = value;
    return;
  }
  Append(name, value);
}

void Event::AddView(std::string_view name, Value value) {
  assert(FindMutable(name) == nullptr);
  Append(name, value);
}

void Event::Append(std::string_view name, Value value) {
  if (size_ == capacity_) {
    uint32_t grown = capacity_ == 0 ? 8 : capacity_ * 2;
    Field* bigger = arena_->AllocateArray<Field>(grown);
    std::copy(fields_, fields_ + size_, bigger);
    fields_ = bigger;
    capacity_ = grown;
  }
  fields_[size_++] = Field{name, value};
}

bool Event::Remove(std::string_view name) {
  Field* f = FindMutable(name);
  if (f == nullptr) return false;
  std::copy(f + 1, fields_ + size_, f);
  --size_;
  return true;
}

void Event::AddTag(std::string_view tag) {
  if (tag_count_ >= kMaxTags || HasTag(tag)) return;
  if (tag_count_ == tag_capacity_) {
    uint16_t grown = tag_capacity_ == 0 ? 4 : static_cast<uint16_t>(tag_capacity_ * 2);
    auto* bigger = arena_->AllocateArray<std::string_view>(grown);
    std::copy(tags_, tags_ + tag_count_, bigger);
    tags_ = bigger;
    tag_capacity_ = grown;
  }
  tags_[tag_count_++] = arena_->Copy(tag);
}

bool Event::RemoveTag(std::string_view tag) {
  auto* end = tags_ + tag_count_;
  auto* it = std::find(tags_, end, tag);
  if (it == end) return false;
  std::copy(it + 1, end, it);
  --tag_count_;
  return true;
}

bool Event::HasTag(std::string_view tag) const {
  return std::find(tags_, tags_ + tag_count_, tag) != tags_ + tag_count_;
}

size_t Event::ByteSize() const {
  size_t n = message_.size();
  for (uint32_t i = 0; i < size_; ++i) {
    n += fields_[i].name.size() + sizeof(Value);
    if (fields_[i].value.has_bytes()) n += fields_[i].value.as_string().size();
  }
  return n;
}

}  // namespace sluice

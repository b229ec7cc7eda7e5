#include "pipeline/buffer/batch_codec.h"

#include <bit>
#include <cstdint>
#include <cstring>

#include "pipeline/buffer/little_endian.h"

namespace sluice::buffer {
namespace {

constexpr uint8_t kVersion = 2;
constexpr uint8_t kVersionWithoutFlags = 1;
constexpr uint8_t kDocumentFlag = 1;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutBytes(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// Reads the encoding back; every getter fails (returns false) past the end.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool Byte(uint8_t* v) {
    if (pos_ >= data_.size()) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (data_.size() - pos_ < 8) return false;
    *v = GetLittleEndian64(data_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = 0;
      if (!Byte(&b)) return false;
      r |= uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Bytes(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || n > data_.size() - pos_) return false;
    *s = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // A count of items each at least `min_bytes` long: larger than what is left is malformed (this
  // keeps a corrupt count from reserving gigabytes).
  bool Count(uint64_t* n, size_t min_bytes) {
    return Varint(n) && *n <= (data_.size() - pos_) / min_bytes;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

void EncodeValue(const Value& v, std::string& out) {
  out.push_back(static_cast<char>(v.kind()));
  switch (v.kind()) {
    case Value::Kind::kNull:
      break;
    case Value::Kind::kBool:
      out.push_back(v.as_bool() ? 1 : 0);
      break;
    case Value::Kind::kInt:
      AppendLittleEndian64(out, static_cast<uint64_t>(v.as_int()));
      break;
    case Value::Kind::kFloat:
      AppendLittleEndian64(out, std::bit_cast<uint64_t>(v.as_float()));
      break;
    case Value::Kind::kString:
    case Value::Kind::kJson:
      PutBytes(out, v.as_string());
      break;
  }
}

bool DecodeValue(Reader& r, Value* v) {
  uint8_t kind = 0;
  if (!r.Byte(&kind)) return false;
  uint64_t bits = 0;
  std::string_view bytes;
  switch (static_cast<Value::Kind>(kind)) {
    case Value::Kind::kNull:
      *v = Value::Null();
      return true;
    case Value::Kind::kBool: {
      uint8_t b = 0;
      if (!r.Byte(&b) || b > 1) return false;
      *v = Value::Bool(b == 1);
      return true;
    }
    case Value::Kind::kInt:
      if (!r.Fixed64(&bits)) return false;
      *v = Value::Int(static_cast<int64_t>(bits));
      return true;
    case Value::Kind::kFloat:
      if (!r.Fixed64(&bits)) return false;
      *v = Value::Float(std::bit_cast<double>(bits));
      return true;
    case Value::Kind::kString:
      if (!r.Bytes(&bytes)) return false;
      *v = Value::String(bytes);
      return true;
    case Value::Kind::kJson:
      if (!r.Bytes(&bytes)) return false;
      *v = Value::Json(bytes);
      return true;
  }
  return false;
}

}  // namespace

void EncodeBatch(const EventBatch& batch, std::string& out) {
  out.push_back(static_cast<char>(kVersion));
  PutVarint(out, batch.size());
  for (const Event& e : batch.events()) {
    AppendLittleEndian64(out, static_cast<uint64_t>(e.timestamp_ns()));
    AppendLittleEndian64(out, e.metadata().source_id);
    AppendLittleEndian64(out, e.metadata().offset);
    out.push_back(static_cast<char>(e.is_document() ? kDocumentFlag : 0));
    PutBytes(out, e.payload());
    PutBytes(out, e.metadata().document_id);
    PutVarint(out, e.fields().size());
    for (const Field& f : e.fields()) {
      PutBytes(out, f.name);
      EncodeValue(f.value, out);
    }
    PutVarint(out, e.tags().size());
    for (std::string_view tag : e.tags()) PutBytes(out, tag);
  }
}

Result<EventBatch> DecodeBatch(std::string_view payload) {
  // Smallest encodings: an event is 3 fixed64 + 3 one-byte counts; a field a name length and a
  // kind; a tag its length.
  constexpr size_t kMinEvent = 27;
  constexpr size_t kMinField = 2;
  Reader header(payload);
  uint8_t version = 0;
  uint64_t count = 0;
  if (!header.Byte(&version) || (version != kVersion && version != kVersionWithoutFlags)) {
    return InvalidArgument("unknown batch encoding version " + std::to_string(version));
  }
  if (!header.Count(&count, kMinEvent)) return InvalidArgument("malformed batch: bad event count");

  EventBatch batch(count, payload.size() + 64);
  // One copy into the arena; everything below views into it.
  Reader r(batch.arena().Copy(payload));
  r.Byte(&version);
  r.Varint(&count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t ts = 0;
    uint64_t source_id = 0;
    uint64_t offset = 0;
    uint8_t flags = 0;
    std::string_view message;
    std::string_view document_id;
    uint64_t fields = 0;
    if (!r.Fixed64(&ts) || !r.Fixed64(&source_id) || !r.Fixed64(&offset) ||
        (version == kVersion && !r.Byte(&flags)) || !r.Bytes(&message) ||
        (version == kVersion && !r.Bytes(&document_id)) || !r.Count(&fields, kMinField)) {
      return InvalidArgument("malformed batch: event " + std::to_string(i) + " is truncated");
    }
    if ((flags & ~kDocumentFlag) != 0) {
      return InvalidArgument("malformed batch: unknown flags of event " + std::to_string(i));
    }
    Event& e = batch.AddView(static_cast<int64_t>(ts), message);
    if ((flags & kDocumentFlag) != 0) {
      // What encoders rely on: an object with a member, '{' to '}'.
      if (message.size() < 2 || message.front() != '{' || message.back() != '}') {
        return InvalidArgument("malformed batch: the document of event " + std::to_string(i) +
                               " is not a JSON object");
      }
      e.set_document_view(message);
    }
    e.metadata().source_id = source_id;
    e.metadata().offset = offset;
    e.metadata().document_id = document_id;
    for (uint64_t k = 0; k < fields; ++k) {
      std::string_view name;
      Value value;
      if (!r.Bytes(&name) || !DecodeValue(r, &value)) {
        return InvalidArgument("malformed batch: a field of event " + std::to_string(i));
      }
      e.AddView(name, value);
    }
    uint64_t tags = 0;
    if (!r.Count(&tags, 1))
      return InvalidArgument("malformed batch: tags of event " + std::to_string(i));
    for (uint64_t k = 0; k < tags; ++k) {
      std::string_view tag;
      if (!r.Bytes(&tag))
        return InvalidArgument("malformed batch: a tag of event " + std::to_string(i));
      e.AddTag(tag);
    }
  }
  if (!r.done()) return InvalidArgument("malformed batch: trailing bytes");
  return batch;
}

}  // namespace sluice::buffer

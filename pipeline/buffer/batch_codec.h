// The disk buffer's record payload: one EventBatch in a compact binary form that keeps everything
// an output reads (time, message, typed fields, tags) and the metadata stable ids are made from
// (source id and offset), so that an event replayed from disk gets the same Elasticsearch _id and
// S3 object as it would have had live.
//
// Format (little-endian; `varint` is LEB128):
//   u8 version (2), varint event count, then per event:
//   i64 time ns, u64 source id, u64 offset, u8 flags (1: a document event),
//   varint len + message (a document event's document), varint len + document id,
//   varint field count, per field: varint len + name, u8 kind, value
//     (bool: u8; int: i64; float: IEEE-754 bits as u64; string/json: varint len + bytes),
//   varint tag count, per tag: varint len + tag.
// Version 1 (records written before document events) lacks the flags and the document id; it is
// still read.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/event_batch.h"
#include "pipeline/status.h"

namespace sluice::buffer {

// Appends the encoding of `batch` to `out`.
void EncodeBatch(const EventBatch& batch, std::string& out);

// Decodes `payload` into a new batch. The payload is copied once into the batch's arena and every
// event, field and tag views into that copy. An error (truncated or malformed payload) names what
// was wrong; the buffer counts such a record as corrupt.
Result<EventBatch> DecodeBatch(std::string_view payload);

}  // namespace sluice::buffer

#include "plugins/inputs/file/file_gzip.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "pipeline/clock.h"
#include "plugins/common/event_id.h"
#include "plugins/common/gunzip.h"
#include "plugins/common/line_splitter.h"

namespace sluice::inputs::file {
namespace {

// A .gz's checkpoint: `gz OFFSET` or `gz OFFSET done`.
struct SavedGzip {
  uint64_t offset = 0;
  bool done = false;
};

std::optional<SavedGzip> DecodeGzip(const std::optional<std::string>& text) {
  if (!text || !text->starts_with("gz ")) return std::nullopt;
  SavedGzip s;
  const char* p = text->data() + 3;
  const char* end = text->data() + text->size();
  auto [next, ec] = std::from_chars(p, end, s.offset);
  if (ec != std::errc()) return std::nullopt;
  s.done = std::string_view(next, static_cast<size_t>(end - next)) == " done";
  return s;
}

std::string EncodeGzip(uint64_t offset, bool done) {
  return fmt::format("gz {}{}", offset, done ? " done" : "");
}

}  // namespace

std::string GoneRecord::Key(const Fingerprint& print) {
  return fmt::format("{}{:016x}:{}", kPrefix, print.hash, print.length);
}

std::string GoneRecord::Encode() const {
  return fmt::format("{} {:016x} {}", offset, source_id, unix_seconds);
}

bool GoneRecord::Decode(std::string_view text, GoneRecord* out) {
  std::istringstream in{std::string(text)};
  std::string source;
  if (!(in >> out->offset >> source >> out->unix_seconds)) return false;
  auto [end, ec] =
      std::from_chars(source.data(), source.data() + source.size(), out->source_id, 16);
  return ec == std::errc() && end == source.data() + source.size();
}

bool IsGzipPath(std::string_view path) { return path.ends_with(".gz"); }

GzipFiles::GzipFiles(const FileOptions& options, std::shared_ptr<const MultilineRules> rules,
                     CheckpointStore* store, Logger logger, std::string host)
    : options_(options),
      rules_(std::move(rules)),
      store_(store),
      logger_(std::move(logger)),
      host_(std::move(host)) {}

bool GzipFiles::ReadFound(InputContext& context, const LiveFn& live,
                          const std::atomic<bool>& stop) {
  for (auto it = found_.begin(); it != found_.end() && !stop.load();) {
    bool refused = false;
    if (ReadOne(context, it->first, it->second, live, stop, &refused)) {
      it = found_.erase(it);
    } else {
      ++it;
    }
    if (refused) return false;
  }
  return true;
}

bool GzipFiles::ReadOne(InputContext& context, const std::string& key, const std::string& path,
                        const LiveFn& live, const std::atomic<bool>& stop, bool* refused) {
  std::optional<SavedGzip> saved = store_ ? DecodeGzip(store_->Get(key)) : std::nullopt;
  if (saved && saved->done) return true;
  std::ifstream in(path, std::ios::binary);
  if (!in) return true;  // gone since the scan
  std::string compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  // Complete? And the fingerprint of its first uncompressed bytes.
  const size_t print_bytes = options_.fingerprint_bytes.bytes;
  std::string head;
  uint64_t total = 0;
  std::string error = common::Gunzip(compressed, [&](std::string_view chunk) {
    if (head.size() < print_bytes) head.append(chunk.substr(0, print_bytes - head.size()));
    total += chunk.size();
  });
  if (error == "truncated gzip data") return false;  // still being written: next scan
  const Fingerprint print{static_cast<uint32_t>(head.size()), Fnv1a(head)};
  if (live(print)) return false;  // its plain original is still being read: wait for it

  uint64_t start = 0;
  uint64_t source_id = Fnv1a(key, print.hash) | 1;
  if (saved) {
    start = saved->offset;
  }
  GoneRecord gone;
  if (store_ && print.length > 0) {
    std::optional<std::string> text = store_->Get(GoneRecord::Key(print));
    if (text && GoneRecord::Decode(*text, &gone)) {
      source_id = gone.source_id;
      if (!saved) start = std::min(gone.offset, total);
    }
  }
  if (start >= total && error.empty()) {
    if (store_) store_->Set(key, EncodeGzip(total, true));
    logger_.Debug("'{}': its {} uncompressed bytes were read already (as its original)", path,
                  total);
    return true;
  }

  // Read it: lines and events as a plain file's, offsets in the uncompressed bytes.
  auto source = context.AddSource(path, [store = store_, key, total](uint64_t offset) {
    if (store != nullptr) store->Set(key, EncodeGzip(offset, offset >= total));
  });
  const size_t batch_events = static_cast<size_t>(options_.batch_events);
  EventBatch batch(batch_events);
  std::string_view batch_path;
  uint64_t safe = start;
  const int64_t read_time = WallNs();
  auto emit = [&] {
    if (batch.empty() || *refused) return;
    for (bool waited = false;
         !context.WaitForCapacity(batch.MemoryBytes(), 100, waited) && !stop.load();
         waited = true) {
    }
    if (!context.Emit(std::move(batch), source, safe)) *refused = true;
    batch = EventBatch(batch_events);
    batch_path = {};
  };
  auto on_event = [&](const MultilineEvent& e) {
    if (batch.size() >= batch_events) emit();
    Event& event = batch.Add(read_time, e.message);
    if (batch_path.empty()) batch_path = batch.arena().Copy(path);
    common::AddSourcedFields(event, batch.arena(), batch_path, e.begin_offset, source_id,
                             e.line_truncated, e.multiline_truncated);
    event.AddView("host.name", Value::String(host_));
    safe = e.end_offset;
  };
  common::LineSplitter splitter(options_.max_line_bytes.bytes);
  MultilineAggregator multiline(rules_);
  uint64_t offset = 0;
  auto on_line = [&](std::string_view line, bool truncated, size_t consumed) {
    const uint64_t begin = offset;
    offset += consumed;
    if (begin < start) return;  // read already (acked, or as its original)
    multiline.Push(line, begin, offset, truncated, read_time, on_event);
  };
  common::Gunzip(compressed, [&](std::string_view chunk) { splitter.Feed(chunk, on_line); });
  splitter.Finish(on_line);
  multiline.Flush(read_time, /*force=*/true, on_event);
  safe = total;
  if (batch.empty()) {
    if (store_) store_->Set(key, EncodeGzip(total, true));
  } else {
    emit();
  }
  if (!error.empty()) {
    logger_.Error("'{}': {} after {} uncompressed bytes; what could be read is sent", path, error,
                  total);
  }
  logger_.Debug("read '{}' ({} uncompressed bytes from {})", path, total, start);
  return true;
}

}  // namespace sluice::inputs::file

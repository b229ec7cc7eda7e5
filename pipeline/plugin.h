// The three plugin interfaces (Input, Filter, Output) and what the engine hands them. Plugins know
// the engine only through this header and registry.h; the engine knows plugins only through the
// registry.
#pragma once

#include <memory>
#include <string>

#include "pipeline/checkpoint_store.h"
#include "pipeline/delivery.h"
#include "pipeline/engine_metrics.h"
#include "pipeline/event_batch.h"
#include "pipeline/log.h"
#include "pipeline/status.h"

namespace sluice {

enum class PluginKind { kInput, kFilter, kOutput };
const char* PluginKindName(PluginKind kind);  // "input", "filter", "output"

// What every plugin instance gets at Build() time. Outlives the plugin.
struct PluginContext {
  std::string pipeline;
  PluginKind kind;
  std::string type;
  std::string id;
  std::string data_dir;  // the process data_dir; plugins keep their state under it
  ComponentMetrics* metrics = nullptr;
  Logger logger;  // names the component: [output:file:archive]
  // Inputs only: the input's own durable checkpoint map (data_dir/checkpoints/PIPELINE/ID.ckpt),
  // loaded before Build(). The input Set()s what its sources commit; the engine persists it
  // periodically (`checkpoint_interval`) and at shutdown, atomically. Null for filters/outputs.
  CheckpointStore* checkpoints = nullptr;
  // Filters only: a slot shared by the instances of one filter (the engine builds one per worker,
  // one after the other). The first Build() may put state there (a learned model, a cache) that
  // the next ones take, so that the workers share it; the slot outlives every instance. Null for
  // inputs and outputs.
  std::shared_ptr<void>* shared = nullptr;
};

// What a running input produces into. Implemented by the engine; outlives the input.
// Thread-safety: every method may be called from any thread.
class InputContext {
 public:
  virtual ~InputContext() = default;

  // Registers a source (a file, a partition, stdin). The acks of the batches emitted for it advance
  // its checkpoint in order; `on_commit` receives each new checkpoint (may be empty).
  virtual std::shared_ptr<SourceTracker> AddSource(std::string name,
                                                   SourceTracker::CommitFn on_commit) = 0;
  // Hands a batch to the pipeline, for `source` (from AddSource; null means the input's default
  // source) with the checkpoint reached at the batch's end. Blocks while the pipeline's in-flight
  // bytes are at their bound (backpressure). Returns false, not taking the batch, when the pipeline
  // is shutting down past its drain deadline.
  virtual bool Emit(EventBatch&& batch, const std::shared_ptr<SourceTracker>& source,
                    uint64_t checkpoint) = 0;
  bool Emit(EventBatch&& batch) { return Emit(std::move(batch), nullptr, 0); }
  // Waits up to `timeout_ms` for room for a batch of `bytes` (EventBatch::MemoryBytes()); returns
  // whether there is room. An input that must keep doing housekeeping under backpressure (closing
  // deleted files, timers) calls this in a loop before Emit(), which then rarely blocks.
  // `continued`: true on the calls after the first of one wait (counts the episode once).
  virtual bool WaitForCapacity(size_t bytes, int64_t timeout_ms, bool continued = false) = 0;
  // The input has produced everything it ever will (stdin at EOF, a finite generator). When every
  // input of the process is finished, `sluice run` drains and exits.
  virtual void Finished() = 0;
  // True once the engine asked the input to stop.
  virtual bool stopping() const = 0;
  // True when nothing downstream reads the events' fields, message or tags other than to encode
  // them as JSON: the pipeline has no filter, no output with `when:`, and every output says
  // Output::reads_fields() is false. An input that decodes JSON may then emit document events
  // (Event::set_document_view). Known from Start() on.
  virtual bool fields_unread() const { return false; }
  // From BeginDrain() to EndDrain(), the outputs hand over what they hold unacked and what they
  // receive (Output::Drain(true)): the input waits for its emitted batches to settle (a Kafka
  // partition being revoked). Use DrainRequest.
  virtual void BeginDrain() {}
  virtual void EndDrain() {}
};

// A drain requested for as long as it lives (InputContext::BeginDrain).
class DrainRequest {
 public:
  explicit DrainRequest(InputContext& context) : context_(context) { context_.BeginDrain(); }
  ~DrainRequest() { context_.EndDrain(); }
  DrainRequest(const DrainRequest&) = delete;
  DrainRequest& operator=(const DrainRequest&) = delete;

 private:
  InputContext& context_;
};

class Input {
 public:
  virtual ~Input() = default;
  // Starts producing into `context` (threads or loop callbacks of the input's own). Returns an
  // error when the input cannot start (the process then exits non-zero).
  virtual Status Start(InputContext& context) = 0;
  // Asks the input to stop producing soon; must not block.
  virtual void Stop() = 0;
  // Waits until the input has stopped and emits no more. Called after Stop().
  virtual void Join() = 0;
  // False while the input's source is known to be failing (unreachable brokers, refused
  // credentials): drives /ready.
  virtual bool healthy() const { return true; }
};

// What a filter did with one event; the engine counts each outcome in the filter's metrics
// (sluice_filter_events_total{outcome=...}) and removes dropped events.
enum class FilterResult : uint8_t {
  kMatched,  // the filter applied (parsed, set, kept)
  kFailed,   // it could not (no match, bad input): the filter tagged the event, which goes on
  kSkipped,  // nothing to do for this event (e.g. its source field is absent); it goes on
  kDropped,  // the event is removed from the batch
};
const char* FilterResultName(FilterResult result);  // "matched", "failed", "skipped", "dropped"

// Filters run on worker threads; the engine builds one instance per worker, so Apply() needs no
// locking for the instance's own state. The engine calls Apply() for each event of a batch, in
// order, that the filter's `when:` condition selects (every event when it has none). Apply() works
// in place: it may change the event's message, fields, tags and time, allocating in the event's
// arena (Event::Set copies there). A filter instance outlives every batch it processed (outputs are
// closed and destroyed first), so names and constant strings the filter owns may be given to
// Event::SetView without copying.
class Filter {
 public:
  virtual ~Filter() = default;
  virtual FilterResult Apply(Event& event) = 0;
};

// Outputs run on a thread of their own that the engine feeds in order. Write() gets each batch and
// the handle to ack once the batch is durable (now or later, from any thread); the batch is only
// valid during the call. Flush() is called when no batch is waiting: the place to make written data
// durable and ack it in one go (group commit).
class Output {
 public:
  virtual ~Output() = default;
  virtual Status Start() { return Status::Ok(); }
  virtual void Write(const EventBatch& batch, AckHandle ack) = 0;
  virtual void Flush() {}
  // The pipeline waits on what this output holds unacked. An output that accumulates before it
  // acks (an S3 object) hands over what it has now: everything when `all` (shutdown, an input
  // asked with InputContext::BeginDrain), or enough to let the pipeline go on when the in-flight
  // bound is reached with nothing queued for the output. Output thread.
  virtual void Drain(bool /*all*/) {}
  // Last call: flush and ack what can be; returns an error naming what could not be made durable.
  virtual Status Close() {
    Flush();
    return Status::Ok();
  }
  // False while the destination is known to be failing (drives /ready).
  virtual bool healthy() const { return true; }
  // False when the output reads an event only through JsonEncoder, its time and its metadata,
  // and the fields an input adds beside a document (`kafka.*`): no template, condition or codec
  // of its options reads other fields, the message or the tags. It then takes document events
  // (see InputContext::fields_unread()). Known once built.
  virtual bool reads_fields() const { return true; }
};

}  // namespace sluice

#include "pipeline/pipeline.h"

#include <fmt/format.h>

#include <algorithm>

#include "pipeline/buffer/disk_buffer.h"
#include "pipeline/clock.h"
#include "pipeline/registry.h"
#include "pipeline/tap.h"
#include "pipeline/thread_name.h"

namespace sluice {

// A source of this pipeline: its tracker plus the sequencer that keeps its batches in order
// between the workers and the outputs. Every tracker handed to inputs is one of these.
class Pipeline::OrderedSource final : public SourceTracker {
 public:
  using SourceTracker::SourceTracker;
  Sequencer<WorkItem> sequencer;
};

// The InputContext of one input instance.
class Pipeline::InputRunner final : public InputContext {
 public:
  InputRunner(Pipeline& pipeline, std::string id, std::unique_ptr<ComponentMetrics> metrics)
      : pipeline_(pipeline), id_(std::move(id)), metrics_(std::move(metrics)) {}

  std::shared_ptr<SourceTracker> AddSource(std::string name,
                                           SourceTracker::CommitFn on_commit) override {
    return std::make_shared<OrderedSource>(std::move(name), std::move(on_commit));
  }
  bool Emit(EventBatch&& batch, const std::shared_ptr<SourceTracker>& source,
            uint64_t checkpoint) override {
    return pipeline_.Emit(*this, std::move(batch), source ? source : default_source_, checkpoint);
  }
  bool WaitForCapacity(size_t bytes, int64_t timeout_ms, bool continued) override {
    return pipeline_.limiter_->WaitFits(bytes, timeout_ms, continued);
  }
  void Finished() override {
    if (finished_.exchange(true)) return;
    pipeline_.finished_inputs_.fetch_add(1);
    if (pipeline_.on_input_finished_) pipeline_.on_input_finished_();
  }
  bool stopping() const override { return stopping_.load(); }
  bool fields_unread() const override { return pipeline_.fields_unread_; }
  void BeginDrain() override { pipeline_.BeginDrain(); }
  void EndDrain() override { pipeline_.EndDrain(); }

  Pipeline& pipeline_;
  const std::string id_;
  std::unique_ptr<ComponentMetrics> metrics_;
  std::unique_ptr<CheckpointStore> checkpoints_;  // outlives `input`, which writes to it
  std::unique_ptr<Input> input;
  std::shared_ptr<SourceTracker> default_source_;
  std::atomic<bool> finished_{false};
  std::atomic<bool> stopping_{false};
  bool started = false;
};

Pipeline::Pipeline(const config::PipelineConfig& config, const config::ProcessOptions& process,
                   MetricsRegistry& metrics, std::function<void()> on_input_finished)
    : config_(config),
      process_(process),
      metrics_(metrics),
      on_input_finished_(std::move(on_input_finished)),
      limiter_(std::make_shared<InflightLimiter>(config.options.max_inflight_bytes.bytes)),
      pipeline_metrics_(metrics, Labels{{"pipeline", config.name}}) {
  delivery_counters_.acked_batches = &pipeline_metrics_.acked_batches;
  delivery_counters_.failed_batches = &pipeline_metrics_.failed_batches;
  delivery_counters_.ack_seconds = &pipeline_metrics_.ack_seconds;
  std::weak_ptr<InflightLimiter> weak = limiter_;
  const Labels& labels = pipeline_metrics_.inflight_bytes.labels();
  pipeline_metrics_.inflight_bytes.AddFunction(labels, [weak] {
    auto l = weak.lock();
    return l ? static_cast<double>(l->bytes()) : 0.0;
  });
  pipeline_metrics_.inflight_batches.AddFunction(labels, [weak] {
    auto l = weak.lock();
    return l ? static_cast<double>(l->batches()) : 0.0;
  });
  pipeline_metrics_.inflight_bytes_limit.AddFunction(labels, [weak] {
    auto l = weak.lock();
    return l ? static_cast<double>(l->max_bytes()) : 0.0;
  });
  pipeline_metrics_.backpressure_waits.AddFunction(labels, [weak] {
    auto l = weak.lock();
    return l ? static_cast<double>(l->blocked_count()) : 0.0;
  });
}

Pipeline::~Pipeline() {
  Abort();
  {
    std::lock_guard lock(work_mu_);
    workers_stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  for (auto& o : outputs_) {
    {
      std::lock_guard lock(o->mu);
      o->stop = true;
    }
    o->cv.notify_all();
    if (o->thread.joinable()) o->thread.join();
  }
}

PluginContext Pipeline::MakeContext(const config::PluginConfig& pc,
                                    ComponentMetrics* metrics) const {
  PluginContext c;
  c.pipeline = config_.name;
  c.kind = pc.kind;
  c.type = pc.type;
  c.id = pc.id;
  c.data_dir = process_.data_dir;
  c.metrics = metrics;
  c.logger = Logger(fmt::format("{}:{}:{}", PluginKindName(pc.kind), pc.type, pc.id));
  return c;
}

Status Pipeline::Build() {
  auto labels = [&](const config::PluginConfig& pc) {
    return Labels{{"pipeline", config_.name},
                  {"kind", PluginKindName(pc.kind)},
                  {"type", pc.type},
                  {"id", pc.id}};
  };
  auto failed = [&](const config::PluginConfig& pc, const Status& s) {
    return Status(s.code(),
                  fmt::format("pipeline '{}': cannot build {} '{}' ({}): {}", config_.name,
                              PluginKindName(pc.kind), pc.id, pc.type, s.message()),
                  pc.where);
  };
  for (const auto& pc : config_.inputs) {
    auto runner = std::make_unique<InputRunner>(
        *this, pc.id, std::make_unique<ComponentMetrics>(metrics_, labels(pc)));
    PluginContext ctx = MakeContext(pc, runner->metrics_.get());
    std::string path = process_.data_dir + "/checkpoints/" + config_.name + "/" + pc.id + ".ckpt";
    auto store = CheckpointStore::Open(path, ctx.logger);
    if (!store.ok()) return failed(pc, store.status());
    runner->checkpoints_ = std::move(store).value();
    ctx.checkpoints = runner->checkpoints_.get();
    auto built = pc.factory->BuildInput(pc.options.get(), ctx);
    if (!built.ok()) return failed(pc, built.status());
    runner->input = std::move(built).value();
    runner->default_source_ = runner->AddSource(config_.name + "/" + pc.id, nullptr);
    inputs_.push_back(std::move(runner));
  }
  for (const auto& pc : config_.filters) {
    filter_stages_.push_back(std::make_unique<FilterStage>(pc, metrics_, labels(pc)));
  }
  int worker_count = config_.options.WorkerCount();
  for (int w = 0; w < worker_count; ++w) {
    auto worker = std::make_unique<Worker>();
    for (size_t i = 0; i < config_.filters.size(); ++i) {
      const auto& pc = config_.filters[i];
      PluginContext ctx = MakeContext(pc, &filter_stages_[i]->metrics());
      ctx.shared = filter_stages_[i]->shared_slot();
      auto built = pc.factory->BuildFilter(pc.options.get(), ctx);
      if (!built.ok()) return failed(pc, built.status());
      worker->filters.push_back(std::move(built).value());
    }
    workers_.push_back(std::move(worker));
  }
  for (const auto& pc : config_.outputs) {
    auto runner = std::make_unique<OutputRunner>();
    runner->id = pc.id;
    runner->metrics = std::make_unique<ComponentMetrics>(metrics_, labels(pc));
    runner->when = pc.when.get();
    PluginContext ctx = MakeContext(pc, runner->metrics.get());
    auto built = pc.factory->BuildOutput(pc.options.get(), ctx);
    if (!built.ok()) return failed(pc, built.status());
    runner->output = std::move(built).value();
    if (pc.buffer.type == buffer::BufferType::kDisk) {
      runner->output = std::make_unique<buffer::DiskBuffer>(
          std::move(runner->output), pc.buffer,
          process_.data_dir + "/buffers/" + config_.name + "/" + pc.id, *runner->metrics,
          ctx.logger, config_.options.max_inflight_bytes.bytes, process_.shutdown_timeout);
    }
    outputs_.push_back(std::move(runner));
  }
  fields_unread_ =
      config_.filters.empty() && std::none_of(outputs_.begin(), outputs_.end(), [](const auto& o) {
        return o->when != nullptr || o->output->reads_fields();
      });
  return Status::Ok();
}

Status Pipeline::Start() {
  for (size_t i = 0; i < outputs_.size(); ++i) {
    Status s = outputs_[i]->output->Start();
    if (!s.ok()) {
      return Status(s.code(), fmt::format("pipeline '{}': output '{}' cannot start: {}",
                                          config_.name, outputs_[i]->id, s.message()));
    }
  }
  for (auto& o : outputs_) {
    o->thread = std::thread([this, r = o.get()] {
      NameThisThread("out", r->id);
      RunOutput(*r);
    });
  }
  for (size_t i = 0; i < workers_.size(); ++i) {
    workers_[i]->thread = std::thread([this, i, w = workers_[i].get()] {
      NameThisThread("filter" + std::to_string(i), config_.name);
      RunWorker(*w);
    });
  }
  started_ = true;
  for (auto& in : inputs_) {
    Status s = in->input->Start(*in);
    if (!s.ok()) {
      return Status(s.code(), fmt::format("pipeline '{}': input '{}' cannot start: {}",
                                          config_.name, in->id_, s.message()));
    }
    in->started = true;
  }
  return Status::Ok();
}

bool Pipeline::Emit(InputRunner& input, EventBatch&& batch,
                    const std::shared_ptr<SourceTracker>& source, uint64_t checkpoint) {
  if (batch.empty()) {
    source->Complete(source->Begin(checkpoint));
    return true;
  }
  size_t bytes = batch.MemoryBytes();
  if (!limiter_->Acquire(bytes)) return false;
  input.metrics_->sent_events.Add(batch.size());
  input.metrics_->sent_bytes.Add(batch.MessageBytes());
  if (tap_ != nullptr && tap_->active()) tap_->Offer(config_.name, "input", input.id_, batch);
  uint64_t seq = source->Begin(checkpoint);
  // Every tracker comes from InputRunner::AddSource.
  uint64_t ticket = static_cast<OrderedSource&>(*source).sequencer.Next();
  {
    std::lock_guard lock(work_mu_);
    work_.push_back(WorkItem{std::move(batch), source, seq, ticket, bytes, MonoNs()});
  }
  work_cv_.notify_one();
  return true;
}

void Pipeline::RunWorker(Worker& worker) {
  std::unique_lock lock(work_mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return workers_stop_ || !work_.empty(); });
    if (work_.empty()) return;  // stop requested and nothing left
    WorkItem item = std::move(work_.front());
    work_.pop_front();
    lock.unlock();
    worker.busy_since_ns.store(MonoNs(), std::memory_order_relaxed);
    Process(worker, item);
    worker.busy_since_ns.store(0, std::memory_order_relaxed);
    lock.lock();
  }
}

void Pipeline::Process(Worker& worker, WorkItem& item) {
  for (size_t i = 0; i < worker.filters.size() && !item.batch.empty(); ++i) {
    filter_stages_[i]->Run(*worker.filters[i], item.batch, worker.dropped);
    if (tap_ != nullptr && tap_->active()) {
      tap_->Offer(config_.name, "filter", filter_stages_[i]->config().id, item.batch);
    }
  }
  // Parsed fields grew the batch's arena: count that growth against the in-flight bound too, so
  // the bound holds for what the batch really holds until it is acked.
  size_t grown = item.batch.MemoryBytes();
  if (grown > item.bytes) {
    limiter_->Grow(grown - item.bytes);
    item.bytes = grown;
  }
  auto& sequencer = static_cast<OrderedSource&>(*item.source).sequencer;
  uint64_t ticket = item.ticket;
  sequencer.Done(ticket, std::move(item), [&](WorkItem& ready) { Deliver(worker, ready); });
}

void Pipeline::Deliver(Worker& worker, WorkItem& item) {
  EventBatch& batch = item.batch;
  auto delivery = std::make_shared<Delivery>(batch.empty() ? 1 : static_cast<int>(outputs_.size()),
                                             item.source, item.seq, item.bytes, limiter_,
                                             delivery_counters_, item.emitted_ns);
  if (batch.empty()) {  // everything was dropped: nothing to deliver, the checkpoint moves on
    delivery->Settle(true);
    return;
  }
  auto shared = std::make_shared<const EventBatch>(std::move(batch));
  for (auto& o : outputs_) {
    std::shared_ptr<const EventBatch> mine = shared;
    if (o->when != nullptr) {
      worker.selected.clear();
      const auto& events = shared->events();
      for (size_t e = 0; e < events.size(); ++e) {
        if (o->when->Matches(events[e])) worker.selected.push_back(static_cast<uint32_t>(e));
      }
      if (worker.selected.empty()) {  // nothing for this output: it has nothing to wait for
        AckHandle(delivery, o->metrics.get(), 0, 0).Ack();
        continue;
      }
      if (worker.selected.size() < events.size()) {
        mine = std::make_shared<const EventBatch>(EventBatch::Subset(shared, worker.selected));
      }
    }
    if (tap_ != nullptr && tap_->active()) tap_->Offer(config_.name, "output", o->id, *mine);
    AckHandle ack(delivery, o->metrics.get(), mine->size(), mine->MessageBytes());
    {
      std::lock_guard lock(o->mu);
      o->queue.push_back(OutputItem{std::move(mine), std::move(ack)});
    }
    o->cv.notify_one();
  }
}

void Pipeline::BeginDrain() {
  drain_requests_.fetch_add(1);
  for (auto& o : outputs_) {
    std::lock_guard lock(o->mu);
    o->cv.notify_one();
  }
}

void Pipeline::EndDrain() { drain_requests_.fetch_sub(1); }

void Pipeline::RunOutput(OutputRunner& runner) {
  std::unique_lock lock(runner.mu);
  // Written to since the last Drain(true): while a drain is requested, what arrives is handed
  // over too (a batch still in a filter when the request came).
  bool holds = false;
  auto draining = [&] { return holds && drain_requests_.load() > 0; };
  while (true) {
    // Idle: now and then, see whether the pipeline waits on what this output holds.
    bool ready = runner.cv.wait_for(lock, std::chrono::milliseconds(100), [&] {
      return runner.stop || !runner.queue.empty() || draining();
    });
    if (runner.queue.empty() && !runner.stop) {
      if (draining()) {
        holds = false;
        lock.unlock();
        runner.output->Drain(/*all=*/true);
        lock.lock();
      } else if (!ready && limiter_->has_waiters()) {
        lock.unlock();
        runner.output->Drain(/*all=*/false);
        lock.lock();
      } else if (!ready) {
        lock.unlock();
        runner.output->Flush();  // time-based work (an S3 object open too long) while idle
        lock.lock();
      }
      continue;
    }
    if (runner.queue.empty()) break;
    std::deque<OutputItem> items;
    items.swap(runner.queue);
    lock.unlock();
    for (OutputItem& item : items) {
      runner.metrics->received_events.Add(item.batch->size());
      runner.metrics->received_bytes.Add(item.batch->MessageBytes());
      int64_t start = MonoNs();
      runner.output->Write(*item.batch, std::move(item.ack));
      runner.metrics->busy_ns.Add(static_cast<uint64_t>(MonoNs() - start));
      item.batch.reset();
    }
    items.clear();
    holds = true;
    lock.lock();
    if (runner.queue.empty() && !draining()) {
      lock.unlock();
      runner.output->Flush();
      lock.lock();
    }
  }
  lock.unlock();
  runner.close_status = runner.output->Close();
}

void Pipeline::StopInputs() {
  for (auto& in : inputs_) {
    in->stopping_ = true;
    if (in->started) in->input->Stop();
  }
}

void Pipeline::JoinInputs() {
  for (auto& in : inputs_) {
    if (in->started) in->input->Join();
    in->started = false;
  }
}

bool Pipeline::WaitDrained(int64_t timeout_ms) {
  BeginDrain();  // outputs that accumulate (S3 objects) hand over what they hold and receive
  bool drained = limiter_->WaitEmpty(timeout_ms);
  EndDrain();
  return drained;
}

Status Pipeline::PersistCheckpoints() {
  Status first;
  for (auto& in : inputs_) {
    Status s = in->checkpoints_->Persist();
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

void Pipeline::Abort() { limiter_->Cancel(); }

Status Pipeline::Close() {
  {
    std::lock_guard lock(work_mu_);
    workers_stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  Status first;
  for (auto& o : outputs_) {
    {
      std::lock_guard lock(o->mu);
      o->stop = true;
    }
    o->cv.notify_all();
    if (o->thread.joinable()) o->thread.join();
    if (first.ok() && !o->close_status.ok()) first = o->close_status;
  }
  return first;
}

bool Pipeline::ready() const {
  if (!started_) return false;
  for (const auto& in : inputs_) {
    if (!in->input->healthy()) return false;
  }
  for (const auto& o : outputs_) {
    if (!o->output->healthy()) return false;
  }
  return true;
}

std::string Pipeline::DescribeStalls(int64_t now_ns, int64_t stall_ns) const {
  std::string out;
  for (size_t i = 0; i < workers_.size(); ++i) {
    const int64_t since = workers_[i]->busy_since_ns.load(std::memory_order_relaxed);
    if (since == 0 || now_ns - since <= stall_ns) continue;
    if (!out.empty()) out += "; ";
    out += fmt::format("pipeline '{}': filter worker {} busy on one batch for {:.1f} s",
                       config_.name, i, static_cast<double>(now_ns - since) / 1e9);
  }
  return out;
}

std::string Pipeline::DescribeInflight() const {
  std::string out = fmt::format("pipeline '{}': {} batches ({} bytes) not acked", config_.name,
                                limiter_->batches(), limiter_->bytes());
  for (const auto& o : outputs_) {
    std::lock_guard lock(o->mu);
    out += fmt::format("; output '{}' has {} batches queued{}", o->id, o->queue.size(),
                       o->output->healthy() ? "" : " (unhealthy)");
  }
  return out;
}

}  // namespace sluice

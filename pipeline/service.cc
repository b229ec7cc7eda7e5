#include "pipeline/service.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>

#include "pipeline/clock.h"
#include "pipeline/json_string.h"
#include "pipeline/log.h"
#include "pipeline/thread_name.h"

namespace sluice {
namespace {

const Logger kLog("service");

int64_t MillisUntil(std::chrono::steady_clock::time_point deadline) {
  auto left = deadline - std::chrono::steady_clock::now();
  return std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
}

}  // namespace

std::string ReloadReport::Summary(bool with_errors) const {
  auto part = [](size_t n, const char* what, const std::vector<std::string>& names) {
    std::string s = fmt::format("{} {}", n, what);
    if (!names.empty()) s += fmt::format(" ({})", fmt::join(names, ", "));
    return s;
  };
  std::string s =
      fmt::format("{}, {}, {}, {}", part(unchanged.size(), "unchanged", {}),
                  part(replaced.size(), "replaced", replaced), part(added.size(), "added", added),
                  part(removed.size(), "removed", removed));
  if (with_errors) {
    for (const std::string& e : errors) s += "; error: " + e;
  }
  return s;
}

Service::Service(config::Config config)
    : config_(std::make_shared<const config::Config>(std::move(config))) {}

Service::~Service() { StopCheckpointer(); }

std::shared_ptr<const config::Config> Service::config() const {
  std::lock_guard lock(pipelines_mu_);
  return config_;
}

Service::HostedList Service::Running() const {
  std::lock_guard lock(pipelines_mu_);
  return pipelines_;
}

void Service::StopCheckpointer() {
  {
    std::lock_guard lock(mu_);
    checkpointer_stop_ = true;
  }
  cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

bool Service::PersistCheckpoints(const HostedList& group) {
  std::lock_guard persisting(persist_mu_);
  bool ok = true;
  for (const auto& h : group) {
    Status s = h->pipeline->PersistCheckpoints();
    if (!s.ok()) {
      kLog.Error("pipeline '{}': cannot persist checkpoints: {}", h->pipeline->name(), s.message());
      ok = false;
    }
  }
  return ok;
}

void Service::RunCheckpointer() {
  std::unique_lock lock(mu_);
  while (!checkpointer_stop_) {
    checkpointer_beat_ns_.store(MonoNs(), std::memory_order_relaxed);
    cv_.wait_for(lock, config()->process.checkpoint_interval.value);
    if (checkpointer_stop_) break;
    lock.unlock();
    PersistCheckpoints(Running());
    lock.lock();
  }
}

Status Service::CheckAlive(std::chrono::milliseconds stall) const {
  const int64_t now = MonoNs();
  const int64_t stall_ns = std::chrono::nanoseconds(stall).count();
  std::string stuck;
  const int64_t beat = checkpointer_beat_ns_.load(std::memory_order_relaxed);
  const int64_t interval_ns =
      std::chrono::nanoseconds(config()->process.checkpoint_interval.value).count();
  if (running_ && beat != 0 && now - beat > interval_ns + stall_ns) {
    stuck = fmt::format("the checkpointer has not cycled for {:.1f} s (persisting checkpoints)",
                        static_cast<double>(now - beat) / 1e9);
  }
  for (const auto& h : Running()) {
    std::string stalls = h->pipeline->DescribeStalls(now, stall_ns);
    if (stalls.empty()) continue;
    if (!stuck.empty()) stuck += "; ";
    stuck += stalls;
  }
  return stuck.empty() ? Status::Ok() : Internal(stuck);
}

Result<std::shared_ptr<Service::Hosted>> Service::BuildPipeline(
    std::shared_ptr<const config::Config> config, const config::PipelineConfig& pc) {
  auto hosted = std::make_shared<Hosted>();
  hosted->config = std::move(config);
  hosted->pipeline = std::make_unique<Pipeline>(pc, hosted->config->process, metrics_,
                                                [this] { OnInputFinished(); });
  hosted->pipeline->SetTap(&tap_);
  SLUICE_RETURN_IF_ERROR(hosted->pipeline->Build());
  return hosted;
}

Result<std::shared_ptr<Service::Hosted>> Service::StartPipeline(
    std::shared_ptr<const config::Config> config, const config::PipelineConfig& pc) {
  auto hosted = BuildPipeline(std::move(config), pc);
  if (!hosted.ok()) return hosted.status();
  SLUICE_RETURN_IF_ERROR(hosted.value()->pipeline->Start());
  return hosted;
}

Status Service::Start() {
  started_at_ = std::chrono::steady_clock::now();
  std::shared_ptr<const config::Config> config = this->config();
  std::error_code ec;
  std::filesystem::create_directories(config->process.data_dir, ec);
  if (ec) {
    return IoError("cannot create data_dir '" + config->process.data_dir + "': " + ec.message() +
                   "; set 'data_dir:' to a writable directory");
  }
  // Every pipeline is built before any starts: a config error stops the start with nothing read.
  HostedList built;
  for (const auto& pc : config->pipelines) {
    auto hosted = BuildPipeline(config, pc);
    if (!hosted.ok()) return hosted.status();
    built.push_back(std::move(hosted).value());
  }
  {
    std::lock_guard lock(pipelines_mu_);
    pipelines_ = built;
  }
  for (auto& h : built) SLUICE_RETURN_IF_ERROR(h->pipeline->Start());
  checkpointer_beat_ns_.store(MonoNs(), std::memory_order_relaxed);
  checkpointer_ = std::thread([this] {
    NameThisThread("checkpoint");
    RunCheckpointer();
  });
  running_ = true;
  kLog.Info("started {} pipeline(s) from {}", built.size(),
            fmt::format("{}", fmt::join(config->files, ", ")));
  return Status::Ok();
}

ReloadReport Service::Reload(config::Config next) {
  std::lock_guard reloading(reload_mu_);
  ReloadReport report;
  {
    std::lock_guard lock(mu_);
    if (stop_requested_ || !running_) {
      report.errors.push_back("the service is stopping (or not started); nothing was reloaded");
      return report;
    }
  }
  std::shared_ptr<const config::Config> current = config();
  if (next.process.data_dir != current->process.data_dir) {
    report.errors.push_back(fmt::format(
        "data_dir changed from '{}' to '{}': the checkpoints and disk buffers live there, so a "
        "new data_dir needs a restart (move the directory, then restart sluice); nothing was "
        "reloaded",
        current->process.data_dir, next.process.data_dir));
    return report;
  }
  auto fresh = std::make_shared<const config::Config>(std::move(next));
  reloading_ = true;

  // Sort the running pipelines into kept and going; the going ones leave the running list before
  // they are drained, so the checkpointer, /ready and the watchdog no longer see them.
  HostedList going;
  // The config each replaced pipeline ran, to run it again if its new config fails to start.
  std::map<std::string, std::shared_ptr<const config::Config>> previous;
  {
    std::lock_guard lock(pipelines_mu_);
    HostedList kept;
    for (const auto& h : pipelines_) {
      const std::string& name = h->pipeline->name();
      auto it = std::find_if(fresh->pipelines.begin(), fresh->pipelines.end(),
                             [&](const config::PipelineConfig& p) { return p.name == name; });
      bool same =
          it != fresh->pipelines.end() && it->fingerprint == h->pipeline->config().fingerprint;
      if (same) {
        kept.push_back(h);
        report.unchanged.push_back(name);
      } else {
        going.push_back(h);
        previous[name] = h->config;
        (it == fresh->pipelines.end() ? report.removed : report.replaced).push_back(name);
      }
    }
    pipelines_ = std::move(kept);
  }
  if (!going.empty()) {
    kLog.Info("reload: draining {} pipeline(s) before replacing or removing them", going.size());
    ShutdownResult drained = StopPipelines(going, fresh->process.shutdown_timeout);
    if (drained == ShutdownResult::kTimedOut) {
      report.errors.push_back(fmt::format(
          "shutdown_timeout ({}) passed before the replaced pipelines drained: what was in flight "
          "is read again from the last checkpoint (duplicates are possible, no loss)",
          fresh->process.shutdown_timeout.ToString()));
    } else if (drained == ShutdownResult::kDeliveryFailed) {
      report.errors.push_back(
          "a replaced or removed pipeline closed with batches its outputs did not deliver (see "
          "the log): their sources are not checkpointed past them, so they are read again");
    }
  }
  // Destroy the drained pipelines before their successors are built: a plugin's destructor
  // drops the metric series it registered, which its successor registers again under the same
  // labels.
  going.clear();

  // Start the replaced and added pipelines, in the config's order.
  for (const config::PipelineConfig& pc : fresh->pipelines) {
    bool replaced = previous.count(pc.name) > 0;
    bool added = std::find(report.unchanged.begin(), report.unchanged.end(), pc.name) ==
                     report.unchanged.end() &&
                 !replaced;
    if (!replaced && !added) continue;
    if (added) report.added.push_back(pc.name);
    auto started = StartPipeline(fresh, pc);
    if (started.ok()) {
      std::lock_guard lock(pipelines_mu_);
      pipelines_.push_back(started.value());
      continue;
    }
    std::string error = fmt::format("pipeline '{}' did not start with its new config: {}", pc.name,
                                    started.status().message());
    if (replaced) {
      // The old pipeline was drained and closed: build it again from its previous config.
      std::shared_ptr<const config::Config> before = previous[pc.name];
      auto old_pc =
          std::find_if(before->pipelines.begin(), before->pipelines.end(),
                       [&](const config::PipelineConfig& p) { return p.name == pc.name; });
      auto again = StartPipeline(before, *old_pc);
      if (again.ok()) {
        std::lock_guard lock(pipelines_mu_);
        pipelines_.push_back(again.value());
        error += "; it runs its previous config again";
      } else {
        error += "; its previous config did not start either: " + again.status().message();
      }
    }
    kLog.Error("reload: {}", error);
    report.errors.push_back(std::move(error));
  }
  {
    std::lock_guard lock(pipelines_mu_);
    config_ = fresh;
  }
  reloading_ = false;
  kLog.Info("reload: {}", report.Summary());
  OnInputFinished();  // a finite input may have finished while the list was changing
  return report;
}

void Service::OnInputFinished() {
  if (reloading_) return;
  HostedList running = Running();
  if (running.empty()) return;
  for (const auto& h : running) {
    if (h->pipeline->finished_inputs() < h->pipeline->input_count()) return;
  }
  RequestStop("every input has finished");
}

void Service::RequestStop(std::string reason) {
  {
    std::lock_guard lock(mu_);
    if (stop_requested_) return;
    stop_requested_ = true;
    stop_reason_ = std::move(reason);
  }
  cv_.notify_all();
}

std::string Service::WaitForStop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stop_requested_; });
  return stop_reason_;
}

ShutdownResult Service::StopPipelines(const HostedList& group, const Duration& timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout.value;
  for (const auto& h : group) h->pipeline->StopInputs();

  // Inputs blocked by backpressure return once the outputs drain; past the deadline they are
  // released by Abort() (their pending batch is not taken, so its checkpoint does not move).
  auto joined = std::async(std::launch::async, [&group] {
    for (const auto& h : group) h->pipeline->JoinInputs();
  });
  bool timed_out = joined.wait_for(std::chrono::milliseconds(MillisUntil(deadline))) !=
                   std::future_status::ready;
  for (const auto& h : group) {
    if (!timed_out && !h->pipeline->WaitDrained(MillisUntil(deadline))) timed_out = true;
  }
  if (timed_out) {
    kLog.Error(
        "shutdown_timeout ({}) passed before everything was flushed; stopping with data not "
        "acked (it will be read again from the last checkpoint where the input can):",
        timeout.ToString());
    for (const auto& h : group) kLog.Error("  {}", h->pipeline->DescribeInflight());
    for (const auto& h : group) h->pipeline->Abort();
    joined.wait();
    PersistCheckpoints(group);  // what was acked is safe to keep
    return ShutdownResult::kTimedOut;
  }
  joined.wait();
  ShutdownResult result = ShutdownResult::kClean;
  for (const auto& h : group) {
    Pipeline& p = *h->pipeline;
    Status s = p.Close();
    if (!s.ok()) {
      kLog.Error("pipeline '{}': final flush failed: {}", p.name(), s.message());
      result = ShutdownResult::kDeliveryFailed;
    }
    if (uint64_t failed = p.failed_batches(); failed > 0) {
      kLog.Error(
          "pipeline '{}': {} batch(es) were not delivered by an output (see its errors "
          "above); their sources are not checkpointed past them",
          p.name(), failed);
      result = ShutdownResult::kDeliveryFailed;
    }
  }
  if (!PersistCheckpoints(group)) result = ShutdownResult::kDeliveryFailed;
  return result;
}

ShutdownResult Service::Shutdown() {
  std::lock_guard reloading(reload_mu_);  // a reload in progress finishes first
  running_ = false;
  HostedList all;
  {
    std::lock_guard lock(pipelines_mu_);
    all = pipelines_;
  }
  ShutdownResult result = StopPipelines(all, config()->process.shutdown_timeout);
  StopCheckpointer();
  if (result != ShutdownResult::kTimedOut && !PersistCheckpoints(all)) {
    result = ShutdownResult::kDeliveryFailed;
  }
  return result;
}

bool Service::ready() const {
  if (!running_) return false;
  for (const auto& h : Running()) {
    if (!h->pipeline->ready()) return false;
  }
  return true;
}

std::string Service::StatsJson() const {
  // Group the component counters by pipeline and component.
  struct Component {
    std::string kind, type, id;
    std::map<std::string, double> values;
  };
  std::map<std::string, std::map<std::string, Component>> by_pipeline;
  std::map<std::string, std::map<std::string, double>> pipeline_values;
  const std::string kComponentPrefix = "sluice_component_";
  const std::string kPipelinePrefix = "sluice_pipeline_";
  for (const auto& s : metrics_.Snapshot()) {
    std::map<std::string, std::string> labels(s.labels.begin(), s.labels.end());
    if (!labels.count("pipeline")) continue;
    const std::string& pipeline = labels["pipeline"];
    if (s.name.starts_with(kComponentPrefix) && labels.count("id")) {
      std::string key = labels["kind"] + "/" + labels["id"];
      Component& c = by_pipeline[pipeline][key];
      c.kind = labels["kind"];
      c.type = labels["type"];
      c.id = labels["id"];
      std::string name = s.name.substr(kComponentPrefix.size());
      if (labels.count("reason")) name += "{" + labels["reason"] + "}";
      c.values[name] += s.value;
    } else if (s.name.starts_with(kPipelinePrefix)) {
      pipeline_values[pipeline][s.name.substr(kPipelinePrefix.size())] = s.value;
    }
  }
  double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
  std::string out = fmt::format(
      "{{\"version\":\"{}\",\"uptime_seconds\":{:.3f},\"ready\":{},"
      "\"pipelines\":[",
      SLUICE_VERSION, uptime, ready() ? "true" : "false");
  bool first_pipeline = true;
  for (const auto& h : Running()) {
    const Pipeline* p = h->pipeline.get();
    out += first_pipeline ? "{" : ",{";
    first_pipeline = false;
    out += "\"name\":";
    AppendJsonString(out, p->name());
    out += fmt::format(",\"ready\":{}", p->ready() ? "true" : "false");
    for (const auto& [k, v] : pipeline_values[p->name()]) out += fmt::format(",\"{}\":{}", k, v);
    out += ",\"components\":[";
    bool first_component = true;
    for (const auto& [key, c] : by_pipeline[p->name()]) {
      out += first_component ? "{" : ",{";
      first_component = false;
      out += "\"kind\":";
      AppendJsonString(out, c.kind);
      out += ",\"type\":";
      AppendJsonString(out, c.type);
      out += ",\"id\":";
      AppendJsonString(out, c.id);
      for (const auto& [name, v] : c.values) {
        out += ",";
        AppendJsonString(out, name);
        out += fmt::format(":{}", v);
      }
      out += "}";
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace sluice

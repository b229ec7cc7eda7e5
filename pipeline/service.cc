#include "pipeline/service.h"

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

Service::Service(config::Config config) : config_(std::move(config)) {}

Service::~Service() { StopCheckpointer(); }

void Service::StopCheckpointer() {
  {
    std::lock_guard lock(mu_);
    checkpointer_stop_ = true;
  }
  cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

bool Service::PersistCheckpoints() {
  bool ok = true;
  for (auto& p : pipelines_) {
    Status s = p->PersistCheckpoints();
    if (!s.ok()) {
      kLog.Error("pipeline '{}': cannot persist checkpoints: {}", p->name(), s.message());
      ok = false;
    }
  }
  return ok;
}

void Service::RunCheckpointer() {
  std::unique_lock lock(mu_);
  while (!checkpointer_stop_) {
    checkpointer_beat_ns_.store(MonoNs(), std::memory_order_relaxed);
    cv_.wait_for(lock, config_.process.checkpoint_interval.value);
    if (checkpointer_stop_) break;
    lock.unlock();
    PersistCheckpoints();
    lock.lock();
  }
}

Status Service::CheckAlive(std::chrono::milliseconds stall) const {
  const int64_t now = MonoNs();
  const int64_t stall_ns = std::chrono::nanoseconds(stall).count();
  std::string stuck;
  const int64_t beat = checkpointer_beat_ns_.load(std::memory_order_relaxed);
  const int64_t interval_ns =
      std::chrono::nanoseconds(config_.process.checkpoint_interval.value).count();
  if (running_ && beat != 0 && now - beat > interval_ns + stall_ns) {
    stuck = fmt::format("the checkpointer has not cycled for {:.1f} s (persisting checkpoints)",
                        static_cast<double>(now - beat) / 1e9);
  }
  for (const auto& p : pipelines_) {
    std::string stalls = p->DescribeStalls(now, stall_ns);
    if (stalls.empty()) continue;
    if (!stuck.empty()) stuck += "; ";
    stuck += stalls;
  }
  return stuck.empty() ? Status::Ok() : Internal(stuck);
}

Status Service::Start() {
  started_at_ = std::chrono::steady_clock::now();
  std::error_code ec;
  std::filesystem::create_directories(config_.process.data_dir, ec);
  if (ec) {
    return IoError("cannot create data_dir '" + config_.process.data_dir + "': " + ec.message() +
                   "; set 'data_dir:' to a writable directory");
  }
  for (const auto& pc : config_.pipelines) {
    auto p =
        std::make_unique<Pipeline>(pc, config_.process, metrics_, [this] { OnInputFinished(); });
    SLUICE_RETURN_IF_ERROR(p->Build());
    pipelines_.push_back(std::move(p));
  }
  for (auto& p : pipelines_) SLUICE_RETURN_IF_ERROR(p->Start());
  checkpointer_beat_ns_.store(MonoNs(), std::memory_order_relaxed);
  checkpointer_ = std::thread([this] {
    NameThisThread("checkpoint");
    RunCheckpointer();
  });
  running_ = true;
  kLog.Info("started {} pipeline(s) from {}", pipelines_.size(),
            fmt::format("{}", fmt::join(config_.files, ", ")));
  return Status::Ok();
}

void Service::OnInputFinished() {
  for (const auto& p : pipelines_) {
    if (p->finished_inputs() < p->input_count()) return;
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

ShutdownResult Service::Shutdown() {
  running_ = false;
  auto deadline = std::chrono::steady_clock::now() + config_.process.shutdown_timeout.value;
  for (auto& p : pipelines_) p->StopInputs();

  // Inputs blocked by backpressure return once the outputs drain; past the deadline they are
  // released by Abort() (their pending batch is not taken, so its checkpoint does not move).
  auto joined = std::async(std::launch::async, [this] {
    for (auto& p : pipelines_) p->JoinInputs();
  });
  bool timed_out = joined.wait_for(std::chrono::milliseconds(MillisUntil(deadline))) !=
                   std::future_status::ready;
  for (auto& p : pipelines_) {
    if (!timed_out && !p->WaitDrained(MillisUntil(deadline))) timed_out = true;
  }
  if (timed_out) {
    kLog.Error(
        "shutdown_timeout ({}) passed before everything was flushed; exiting with data not "
        "acked (it will be read again from the last checkpoint where the input can):",
        config_.process.shutdown_timeout.ToString());
    for (auto& p : pipelines_) kLog.Error("  {}", p->DescribeInflight());
    for (auto& p : pipelines_) p->Abort();
    joined.wait();
    StopCheckpointer();
    PersistCheckpoints();  // what was acked is safe to keep
    return ShutdownResult::kTimedOut;
  }
  joined.wait();
  ShutdownResult result = ShutdownResult::kClean;
  for (auto& p : pipelines_) {
    Status s = p->Close();
    if (!s.ok()) {
      kLog.Error("pipeline '{}': final flush failed: {}", p->name(), s.message());
      result = ShutdownResult::kDeliveryFailed;
    }
    if (uint64_t failed = p->failed_batches(); failed > 0) {
      kLog.Error(
          "pipeline '{}': {} batch(es) were not delivered by an output (see its errors "
          "above); their sources are not checkpointed past them",
          p->name(), failed);
      result = ShutdownResult::kDeliveryFailed;
    }
  }
  StopCheckpointer();
  if (!PersistCheckpoints()) result = ShutdownResult::kDeliveryFailed;
  return result;
}

bool Service::ready() const {
  if (!running_) return false;
  for (const auto& p : pipelines_) {
    if (!p->ready()) return false;
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
  for (const auto& p : pipelines_) {
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

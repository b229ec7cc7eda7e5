#include "agent/reloader.h"

#include <time.h>

#include "pipeline/json_string.h"
#include "pipeline/log.h"
#include "pipeline/thread_name.h"

namespace sluice::agent {
namespace {

const Logger kLog("reload");

void AppendList(std::string& out, const char* key, const std::vector<std::string>& items) {
  out += fmt::format(",\"{}\":[", key);
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(out, items[i]);
  }
  out += "]";
}

// sd_notify's RELOADING=1 carries the CLOCK_MONOTONIC time of the reload (systemd 253 needs it for
// Type=notify-reload; older versions ignore it).
std::string ReloadingState() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t usec =
      static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
  return fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the config", usec);
}

}  // namespace

std::string ReloadOutcome::ToJson() const {
  std::string out = fmt::format("{{\"ok\":{},\"rejected\":{}", ok() ? "true" : "false",
                                rejected ? "true" : "false");
  AppendList(out, "config_errors", config_errors);
  AppendList(out, "warnings", warnings);
  AppendList(out, "unchanged", report.unchanged);
  AppendList(out, "replaced", report.replaced);
  AppendList(out, "added", report.added);
  AppendList(out, "removed", report.removed);
  AppendList(out, "errors", report.errors);
  out += ",\"summary\":";
  AppendJsonString(out, report.Summary(/*with_errors=*/false));
  return out + "}\n";
}

Reloader::Reloader(Service& service, std::string config_path, const SystemdNotifier& systemd,
                   std::function<std::vector<std::string>(const config::Config&)> apply_settings)
    : service_(service),
      config_path_(std::move(config_path)),
      systemd_(systemd),
      apply_settings_(std::move(apply_settings)) {
  thread_ = std::thread([this] {
    NameThisThread("reload");
    RunRequests();
  });
}

Reloader::~Reloader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reloader::RequestReload(std::string trigger) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(trigger);
  }
  cv_.notify_all();
}

void Reloader::RunRequests() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (stop_) return;
    std::string trigger = std::move(pending_);
    pending_.clear();
    lock.unlock();
    Reload(trigger);
    lock.lock();
  }
}

ReloadOutcome Reloader::Reload(std::string_view trigger) {
  std::lock_guard reloading(reload_mu_);
  kLog.Info("{}: reading {} again", trigger, config_path_);
  if (Status s = systemd_.Notify(ReloadingState()); !s.ok()) kLog.Warn("{}", s.message());
  ReloadOutcome outcome;
  config::Diagnostics diags;
  config::Config next = config::LoadConfig(config_path_, diags);
  if (!diags.ok()) {
    outcome.rejected = true;
    for (const Status& e : diags.errors()) outcome.config_errors.push_back(e.ToString());
    kLog.Error("the new config has {} error(s); the running pipelines are left as they are:",
               diags.errors().size());
    for (const std::string& e : outcome.config_errors) kLog.Error("  {}", e);
  } else {
    outcome.warnings = apply_settings_(next);
    for (const std::string& w : outcome.warnings) kLog.Warn("{}", w);
    outcome.report = service_.Reload(std::move(next));
  }
  std::string status = outcome.rejected      ? "reload rejected: the config has errors"
                       : outcome.report.ok() ? "reloaded: " + outcome.report.Summary()
                                             : "reload incomplete: " + outcome.report.Summary();
  std::string state = fmt::format("READY=1\nSTATUS={}", status);
  if (Status s = systemd_.Notify(state); !s.ok()) kLog.Warn("{}", s.message());
  return outcome;
}

}  // namespace sluice::agent

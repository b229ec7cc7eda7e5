// Reloader: config reload for `sluice run`, triggered by SIGHUP (RequestReload, done on its own
// thread so that a SIGTERM is never held up) or by POST /api/v1/reload (Reload, which answers when
// done). It reads the config files again: an invalid config is rejected with every error
// (file:line:column) and nothing changes; a valid one goes to Service::Reload (unchanged pipelines
// untouched, changed ones drained and replaced, added ones started, removed ones stopped), and
// the process settings a running process can change are applied: the log level and format (unless
// --log-level/--log-format fixed them) and the admin token. A new admin.listen, admin.enabled or
// data_dir needs a restart (a warning, or for data_dir an error). systemd hears RELOADING=1 before
// and READY=1 after.
// Thread-safety: Reload and RequestReload from any thread; reloads run one at a time.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/systemd_notify.h"
#include "pipeline/config.h"
#include "pipeline/service.h"

namespace sluice::agent {

struct ReloadOutcome {
  bool rejected = false;                   // the new config is invalid: nothing was applied
  std::vector<std::string> config_errors;  // when rejected: "file:line:column: message"
  ReloadReport report;                     // when not rejected
  std::vector<std::string> warnings;       // settings that need a restart

  bool ok() const { return !rejected && report.ok(); }
  // The API's answer: {"ok":..,"rejected":..,"config_errors":[..],"warnings":[..], the
  // report's lists, "summary": its Summary without the errors}.
  std::string ToJson() const;
};

class Reloader {
 public:
  // `config_path` is what `run -c` was given; `apply_settings` applies a new config's process
  // settings (log level and format, admin token) and returns the warnings about those that need a
  // restart.
  Reloader(Service& service, std::string config_path, const SystemdNotifier& systemd,
           std::function<std::vector<std::string>(const config::Config&)> apply_settings);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Reloads now and returns what happened; `trigger` is logged ("SIGHUP", "POST /api/v1/reload").
  ReloadOutcome Reload(std::string_view trigger);
  // Asks for a reload on the reloader's thread and returns at once; requests made while one runs
  // are merged into the next.
  void RequestReload(std::string trigger);

 private:
  void RunRequests();

  Service& service_;
  const std::string config_path_;
  const SystemdNotifier& systemd_;
  std::function<std::vector<std::string>(const config::Config&)> apply_settings_;
  std::mutex reload_mu_;  // one reload at a time

  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;  // the trigger of a requested reload; "" when none
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sluice::agent

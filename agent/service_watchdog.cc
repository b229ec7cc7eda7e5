#include "agent/service_watchdog.h"

#include <algorithm>

#include "agent/status_line.h"
#include "pipeline/clock.h"
#include "pipeline/log.h"
#include "pipeline/thread_name.h"

namespace sluice::agent {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

const Logger kLog("watchdog");

}  // namespace

ServiceWatchdog::ServiceWatchdog(Service& service, const SystemdNotifier& notifier)
    : service_(service), notifier_(notifier) {
  if (auto timeout = notifier_.watchdog()) {
    period_ = std::max(milliseconds(1), duration_cast<milliseconds>(*timeout) / 2);
    stall_ = std::max(milliseconds(1), duration_cast<milliseconds>(*timeout));
  } else {
    period_ = milliseconds(5000);
    stall_ = milliseconds(60000);
  }
}

void ServiceWatchdog::Start() {
  if (!notifier_.enabled()) return;
  thread_ = std::thread([this] {
    NameThisThread("watchdog");
    Run();
  });
}

void ServiceWatchdog::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceWatchdog::Run() {
  const bool ping = notifier_.watchdog().has_value();
  StatusTotals before = ReadStatusTotals(service_.metrics(), MonoNs());
  bool stuck = false;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period_, [&] { return stop_; })) {
    lock.unlock();
    StatusTotals now = ReadStatusTotals(service_.metrics(), MonoNs());
    Status alive = service_.CheckAlive(stall_);
    std::string message;
    if (alive.ok()) {
      if (stuck) kLog.Info("making progress again; watchdog pings resume");
      stuck = false;
      message = std::string(ping ? "WATCHDOG=1\n" : "") +
                "STATUS=" + StatusLine(service_.pipeline_count(), before, now);
    } else {
      if (!stuck) {
        kLog.Error(
            "stuck, so no watchdog ping (systemd restarts the service after WatchdogSec): {}",
            alive.message());
      }
      stuck = true;
      message = "STATUS=stuck: " + alive.message();
    }
    before = now;
    Status sent = notifier_.Notify(message);
    if (!sent.ok()) kLog.Warn("{}", sent.message());
    lock.lock();
  }
}

}  // namespace sluice::agent

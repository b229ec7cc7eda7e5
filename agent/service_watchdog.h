// ServiceWatchdog: the thread that keeps systemd informed while `sluice run` runs. Every period
// (half of WatchdogSec=, or 5 s when systemd asked for no watchdog) it checks that the service
// makes progress (Service::CheckAlive: the checkpointer cycles, no filter worker is stuck on a
// batch) and sends WATCHDOG=1 with a STATUS= summary (StatusLine). While something is stuck it
// sends only STATUS= naming it, and logs it, so systemd restarts the process once WatchdogSec
// passes without a ping: a wedged agent is restarted, an idle one or one waiting on a dead sink
// (backpressure) is not.
// Thread-safety: Start/Stop from the thread that owns the service.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/systemd_notify.h"
#include "pipeline/service.h"

namespace sluice::agent {

class ServiceWatchdog {
 public:
  ServiceWatchdog(Service& service, const SystemdNotifier& notifier);
  ~ServiceWatchdog() { Stop(); }
  ServiceWatchdog(const ServiceWatchdog&) = delete;
  ServiceWatchdog& operator=(const ServiceWatchdog&) = delete;

  // Starts the thread when the notifier is enabled; does nothing otherwise.
  void Start();
  // Stops and joins the thread (before the service shuts down: a drain is not a stall).
  void Stop();

  std::chrono::milliseconds period() const { return period_; }
  // Work that takes longer than this counts as stuck: the watchdog timeout itself, or 60 s.
  std::chrono::milliseconds stall() const { return stall_; }

 private:
  void Run();

  Service& service_;
  const SystemdNotifier& notifier_;
  std::chrono::milliseconds period_;
  std::chrono::milliseconds stall_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace sluice::agent

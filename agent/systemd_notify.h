// SystemdNotifier: systemd's service notification protocol (sd_notify(3)), spoken directly: one
// datagram of newline-separated VAR=value assignments ("READY=1", "STATUS=...") sent to the
// AF_UNIX socket named by $NOTIFY_SOCKET (a path, or '@' for the abstract namespace). Written
// here instead of linking libsystemd, which Debian ships only as a shared library: the packaged
// binary links everything but glibc statically (docs/install.md).
// With no $NOTIFY_SOCKET (not started by systemd with Type=notify) every call does nothing.
// Thread-safety: immutable after construction; Notify() may be called from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/status.h"

namespace sluice::agent {

class SystemdNotifier {
 public:
  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID. The watchdog applies only when
  // WATCHDOG_PID is unset or names this process (a child must not ping for its parent).
  static SystemdNotifier FromEnvironment();
  SystemdNotifier() = default;
  SystemdNotifier(std::string socket, std::optional<std::chrono::microseconds> watchdog)
      : socket_(std::move(socket)), watchdog_(watchdog) {}

  bool enabled() const { return !socket_.empty(); }
  // The watchdog timeout systemd enforces (WatchdogSec=), when it asked for pings.
  std::optional<std::chrono::microseconds> watchdog() const { return watchdog_; }

  // Sends `state` (e.g. "READY=1\nSTATUS=running") as one datagram. Ok when sent or when not
  // enabled; an IoError naming the socket otherwise.
  Status Notify(std::string_view state) const;

 private:
  std::string socket_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace sluice::agent

#include "agent/signals.h"

#include <unistd.h>
#include <csignal>
#include <thread>

#include "agent/cli.h"
#include "pipeline/log.h"
#include "pipeline/thread_name.h"

namespace sluice::agent {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockSignals() {
  std::signal(SIGPIPE, SIG_IGN);
  // A write past a file-size limit (systemd LimitFSIZE=, ulimit -f) fails with EFBIG, handled as
  // a full disk is (the disk buffer blocks and retries), instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void StartSignalThread(std::function<void(const char*)> on_stop, std::function<void()> on_reload) {
  std::thread([on_stop = std::move(on_stop), on_reload = std::move(on_reload)] {
    NameThisThread("signals");
    sigset_t set = StopSignals();
    bool stopping = false;
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGHUP) {
        if (stopping) {
          Logger("signal").Warn("SIGHUP during shutdown: no reload");
        } else {
          on_reload();
        }
        continue;
      }
      const char* name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
      if (stopping) {
        Logger("signal").Error("second {} during shutdown: exiting now, without draining", name);
        _exit(kExitUnflushed);
      }
      stopping = true;
      on_stop(name);
    }
  }).detach();
}

}  // namespace sluice::agent

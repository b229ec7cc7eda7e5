// Signal handling for `sluice run`: SIGTERM and SIGINT ask the service to stop gracefully (a second
// one while shutting down exits at once with code 4); SIGHUP asks for a config reload (handled
// elsewhere: this thread only passes it on); SIGPIPE is ignored (a closed stdout is an
// output error, not a crash), and so is SIGXFSZ (a write past a file-size limit fails with EFBIG).
// Signals are received by one thread with sigwait(), so no work runs in an async signal handler.
// Thread-safety: BlockSignals() must run before any other thread starts.
#pragma once

#include <functional>

namespace sluice::agent {

// Blocks SIGTERM/SIGINT/SIGHUP in the calling thread (and so in every thread it starts); ignores
// SIGPIPE and SIGXFSZ.
void BlockSignals();
// Starts the detached signal thread, which calls `on_stop(signal name)` on the first SIGTERM or
// SIGINT and `on_reload()` on each SIGHUP (until a stop); both must return promptly.
void StartSignalThread(std::function<void(const char*)> on_stop, std::function<void()> on_reload);

}  // namespace sluice::agent

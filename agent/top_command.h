// `sluice top`: a terminal view of a running instance (agent/top_view.h), refreshed every
// `interval` from its admin API's /metrics, until `q` or Ctrl-C; the screen is the terminal's
// alternate screen, restored on exit. With `once`: two scrapes `interval` apart, one frame printed
// on stdout (not cut to a terminal when stdout is not one), for scripts. Exit codes: 0; 2 usage;
// 3 the instance could not be asked (unreachable, token refused).
// Thread-safety: runs on the main thread.
#pragma once

#include <chrono>

#include "agent/admin_client.h"

namespace sluice::agent {

int TopCommand(const AdminClientFlags& flags, bool once, std::chrono::milliseconds interval);

}  // namespace sluice::agent

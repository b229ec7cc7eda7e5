// ApplyProcessPriority: the `priority:` settings (nice value, scheduling policy, I/O class) for the
// calling thread, which every thread it starts afterwards inherits: `sluice run` calls it before
// it starts any. A Spark node's agent can so yield to the executors it shares the cores and the
// disks with. The systemd unit's Nice=, CPUSchedulingPolicy=, IOSchedulingClass= and CPUQuota= do
// the same from outside (docs/install.md).
// Thread-safety: call from the main thread before other threads exist.
#pragma once

#include <string>
#include <vector>

#include "pipeline/config.h"

namespace sluice::agent {

// Applies what `priority` asks for; returns one warning per setting the kernel refused (a lower
// nice value without CAP_SYS_NICE, say), which leave that setting as it was: running at the
// default priority is better than not running.
std::vector<std::string> ApplyProcessPriority(const config::PriorityOptions& priority);

}  // namespace sluice::agent

#include "agent/process_priority.h"

#include <fmt/format.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::agent {
namespace {

// linux/ioprio.h: the class in the top bits, the level below; glibc has no wrapper.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioClassBestEffort = 2;
constexpr int kIoprioClassIdle = 3;

}  // namespace

std::vector<std::string> ApplyProcessPriority(const config::PriorityOptions& priority) {
  std::vector<std::string> warnings;
  if (priority.nice != 0 && ::setpriority(PRIO_PROCESS, 0, static_cast<int>(priority.nice)) != 0) {
    warnings.push_back(fmt::format("priority.nice: cannot set {} ({}); left at {}", priority.nice,
                                   std::strerror(errno), ::getpriority(PRIO_PROCESS, 0)));
  }
  if (priority.cpu_scheduling != config::CpuScheduling::kNormal) {
    const int policy =
        priority.cpu_scheduling == config::CpuScheduling::kBatch ? SCHED_BATCH : SCHED_IDLE;
    struct sched_param param {};
    if (::sched_setscheduler(0, policy, &param) != 0) {
      warnings.push_back(fmt::format("priority.cpu_scheduling: cannot set {} ({}); left as it was",
                                     config::EnumNameOf(priority.cpu_scheduling),
                                     std::strerror(errno)));
    }
  }
  if (priority.io_class != config::IoClass::kInherit) {
    const bool idle = priority.io_class == config::IoClass::kIdle;
    const int value = ((idle ? kIoprioClassIdle : kIoprioClassBestEffort) << kIoprioClassShift) |
                      (idle ? 0 : static_cast<int>(priority.io_priority));
    if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, value) != 0) {
      warnings.push_back(fmt::format("priority.io_class: cannot set {} ({}); left as it was",
                                     config::EnumNameOf(priority.io_class), std::strerror(errno)));
    }
  }
  return warnings;
}

}  // namespace sluice::agent

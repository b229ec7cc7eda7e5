// Thread names: what `top -H`, `ps -L`, /proc/PID/task/*/comm, gdb and perf show for each of the
// process's threads, so an operator can tell which output or input uses the CPU. Names follow
// "ROLE:ID" (in:spark-logs, out:kafka, poll:kafka, filter0:agent); Linux keeps 15 bytes of a name,
// so the rest is cut. On systems without thread names, naming does nothing.
// Thread-safety: names the calling thread only.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// Names the calling thread "ROLE:ID" (or `role` alone when `id` is empty), cut to 15 bytes.
void NameThisThread(std::string_view role, std::string_view id = {});
// The calling thread's name ("" where threads have no names).
std::string ThisThreadName();

}  // namespace sluice

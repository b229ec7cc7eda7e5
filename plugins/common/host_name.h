// HostName(): this machine's host name (the pod name in Kubernetes), "localhost" when it cannot be
// read. For event fields, object names and ids that say where something ran.
// Thread-safety: a pure function of the system's host name.
#pragma once

#include <unistd.h>

#include <string>

namespace sluice::common {

inline std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace sluice::common

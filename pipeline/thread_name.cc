#include "pipeline/thread_name.h"

#include <pthread.h>

#include <algorithm>

namespace sluice {

namespace {
constexpr size_t kMaxName = 15;  // Linux's TASK_COMM_LEN (16) less the terminator
}  // namespace

void NameThisThread(std::string_view role, std::string_view id) {
  std::string name(role);
  if (!id.empty()) {
    name += ':';
    name += id;
  }
  name.resize(std::min(name.size(), kMaxName));
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name.c_str());
#endif
}

std::string ThisThreadName() {
#if defined(__linux__)
  char buf[kMaxName + 1] = {};
  if (pthread_getname_np(pthread_self(), buf, sizeof(buf)) == 0) return buf;
#endif
  return "";
}

}  // namespace sluice

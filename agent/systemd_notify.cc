#include "agent/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace sluice::agent {
namespace {

std::optional<int64_t> ParseInt(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  int64_t v = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

}  // namespace

SystemdNotifier SystemdNotifier::FromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return {};
  std::optional<std::chrono::microseconds> watchdog;
  std::optional<int64_t> usec = ParseInt(std::getenv("WATCHDOG_USEC"));
  std::optional<int64_t> pid = ParseInt(std::getenv("WATCHDOG_PID"));
  if (usec && *usec > 0 && (!pid || *pid == ::getpid())) {
    watchdog = std::chrono::microseconds(*usec);
  }
  return SystemdNotifier(socket, watchdog);
}

Status SystemdNotifier::Notify(std::string_view state) const {
  if (!enabled()) return Status::Ok();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_.size() >= sizeof(addr.sun_path) || (socket_[0] != '/' && socket_[0] != '@')) {
    return IoError("NOTIFY_SOCKET '" + socket_ + "' is not an absolute path or '@' name");
  }
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  if (socket_[0] == '@') addr.sun_path[0] = '\0';  // the abstract namespace
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError(std::string("cannot create a notify socket: ") + std::strerror(errno));
  ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                          reinterpret_cast<const sockaddr*>(&addr), len);
  int err = errno;
  ::close(fd);
  if (sent < 0) {
    return IoError("cannot notify systemd at '" + socket_ + "': " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace sluice::agent
